using LlmOps.Guardrails;
using LlmOps.Guardrails.Scanners;
using Microsoft.Extensions.AI;

namespace LlmOps.Tests.Guardrails;

public sealed class PiiGuardrailTests
{
    // Public test numbers published by card networks and banks for testing.
    public static readonly TheoryData<string> ValidCards = new() { "4111111111111111", "4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005", "6011111111111117", "2223003122003222", "4012888888881881" };
    public static readonly TheoryData<string> ValidIbans = new() { "DE89370400440532013000", "GB82 WEST 1234 5698 7654 32", "FR1420041010050500013M02606", "NL91ABNA0417164300", "ES9121000418450200051332", "CH9300762011623852957" };

    [Theory]
    [MemberData(nameof(ValidCards))]
    public void IsValidCard_PublishedTestNumber_True(string card) => Assert.True(PiiGuardrail.IsValidCard(card));

    [Theory]
    [MemberData(nameof(ValidCards))]
    public void IsValidCard_EverySingleDigitMutation_False(string card)
    {
        for (var i = 0; i < card.Length; i++)
        {
            if (!char.IsAsciiDigit(card[i]))
            {
                continue;
            }

            for (var d = '0'; d <= '9'; d++)
            {
                if (d == card[i])
                {
                    continue;
                }

                var mutated = card[..i] + d + card[(i + 1)..];
                Assert.False(PiiGuardrail.IsValidCard(mutated), $"mutation at {i} to {d} passed Luhn");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ValidIbans))]
    public void IsValidIban_PublishedExample_True(string iban) => Assert.True(PiiGuardrail.IsValidIban(iban));

    [Theory]
    [MemberData(nameof(ValidIbans))]
    public void IsValidIban_EverySingleDigitMutation_False(string iban)
    {
        for (var i = 0; i < iban.Length; i++)
        {
            if (!char.IsAsciiDigit(iban[i]))
            {
                continue;
            }

            for (var d = '0'; d <= '9'; d++)
            {
                if (d != iban[i])
                {
                    Assert.False(PiiGuardrail.IsValidIban(iban[..i] + d + iban[(i + 1)..]), $"mutation at {i} to {d} passed mod-97");
                }
            }
        }
    }

    [Theory]
    [InlineData("123-45-6789")]
    [InlineData("123 45 6789")]
    [InlineData("123456789")]
    [InlineData("665-12-3456")]
    [InlineData("899-99-9999")]
    public void IsValidSsn_ValidForms_True(string ssn) => Assert.True(PiiGuardrail.IsValidSsn(ssn));

    [Theory]
    [InlineData("000-12-3456")]
    [InlineData("666-12-3456")]
    [InlineData("900-12-3456")]
    [InlineData("987-65-4321")]
    [InlineData("999-99-9999")]
    [InlineData("123-00-4567")]
    [InlineData("123-45-0000")]
    [InlineData("123-45 6789")]
    [InlineData("123 45-6789")]
    [InlineData("12345-6789")]
    [InlineData("123-456789")]
    [InlineData("1234-5-6789")]
    [InlineData("123-45-678")]
    [InlineData("123.45.6789")]
    public void IsValidSsn_InvalidForms_False(string ssn) => Assert.False(PiiGuardrail.IsValidSsn(ssn));

    // The SSA's published never-valid numbers: voided (078-05-1120, the 1938 wallet card), specimen (219-09-9999, the
    // 1940 pamphlet), the advertising range 987-65-4320..4329, and numbers of one repeated digit.
    [Theory]
    [InlineData("078-05-1120")]
    [InlineData("078051120")]
    [InlineData("219-09-9999")]
    [InlineData("219 09 9999")]
    [InlineData("987-65-4320")]
    [InlineData("987-65-4325")]
    [InlineData("987-65-4329")]
    [InlineData("111-11-1111")]
    [InlineData("222-22-2222")]
    [InlineData("333333333")]
    [InlineData("444 44 4444")]
    [InlineData("555-55-5555")]
    [InlineData("777-77-7777")]
    [InlineData("888-88-8888")]
    public void IsValidSsn_NeverIssuedVoidedSpecimenOrAdvertising_False_AndNotReported(string ssn)
    {
        Assert.False(PiiGuardrail.IsValidSsn(ssn));
        Assert.Empty(PiiGuardrail.Detect($"My SSN is {ssn}."));
    }

    [Theory]
    [InlineData("078-05-1121")]
    [InlineData("219-09-9998")]
    [InlineData("111-11-1112")]
    [InlineData("222-22-2223")]
    public void IsValidSsn_NeighboursOfTheListedNumbers_StillValid(string ssn) => Assert.True(PiiGuardrail.IsValidSsn(ssn));

    [Theory]
    [InlineData("4111 1111 1111 1112")]
    [InlineData("4111-1111-1111-1112")]
    [InlineData("4111111111111112")]
    [InlineData("3782 822463 10006")]
    [InlineData("5500 0000 0000 005")]
    [InlineData("4111 1111 1111 1112 1113")]
    public void Detect_CardShapedRunWithBadCheckDigit_IsNotAPhone_NothingReported(string run)
        => Assert.Empty(PiiGuardrail.Detect($"Card on file: {run}, thanks."));

    [Theory]
    [InlineData("Call 555 123 4567 2 times", "555 123 4567 2")]
    [InlineData("ref 12-3456-7890-12 ok", "12-3456-7890-12")]
    [InlineData("Call +44 20 7946 0958 after six", "+44 20 7946 0958")]
    [InlineData("Call (415) 555-0132 after six", "(415) 555-0132")]
    [InlineData("key QZ12 555 0132 4567 now", "555 0132 4567")]
    [InlineData("card 4111111111111111 2029 expires", "4111111111111111 2029")]
    [InlineData("cards 4111111111111111 2029 5500000000000004 end", "4111111111111111 2029")]
    [InlineData("cards 4111111111111111 2029 5500000000000004 end", "5500000000000004")]
    public void Detect_DigitRun_FindingCoversTheWholeRun(string text, string expected)
    {
        var findings = PiiGuardrail.Detect(text);

        Assert.Contains(findings, f => text.Substring(f.Start, f.Length) == expected);
        foreach (var f in findings)
        {
            // Every digit group that touches a finding (one separator away, not glued to a word) is itself covered.
            var end = f.Start + f.Length;
            if (f.Start >= 2 && text[f.Start - 1] is ' ' or '-' or '.' && char.IsAsciiDigit(text[f.Start]) && IsNumberGroup(text, f.Start - 2, step: -1))
            {
                Assert.Contains(findings, o => o.Start + o.Length == f.Start - 1);
            }

            if (end + 1 < text.Length && text[end] is ' ' or '-' or '.' && char.IsAsciiDigit(text[end - 1]) && IsNumberGroup(text, end + 1, step: 1))
            {
                Assert.Contains(findings, o => o.Start == end + 1);
            }
        }
    }

    private static bool IsNumberGroup(string text, int from, int step)
    {
        if (!char.IsAsciiDigit(text[from]))
        {
            return false;
        }

        var i = from;
        while (i >= 0 && i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i += step;
        }

        return i < 0 || i >= text.Length || !char.IsLetter(text[i]);
    }

    [Fact]
    public void Detect_SsnInsideALongerRun_IsNotAnSsn()
        => Assert.DoesNotContain(PiiGuardrail.Detect("ticket 123-45-6789-0000 closed"), f => f.Type == "pii.ssn");

    [Theory]
    [InlineData("Reach me at jane.doe+news@mail.example.co.uk today", "pii.email")]
    [InlineData("Call +44 20 7946 0958 after six", "pii.phone")]
    [InlineData("Call (415) 555-0132 after six", "pii.phone")]
    [InlineData("Card: 4111-1111-1111-1111, exp 12/29", "pii.credit_card")]
    [InlineData("Pay to DE89 3704 0044 0532 0130 00 please", "pii.iban")]
    [InlineData("SSN 123-45-6789 on file", "pii.ssn")]
    [InlineData("server at 192.168.10.254 is down", "pii.ip_address")]
    [InlineData("server at 2001:0db8:85a3:0000:0000:8a2e:0370:7334 is down", "pii.ip_address")]
    [InlineData("server at fe80::1ff:fe23:4567:890a is down", "pii.ip_address")]
    [InlineData("server at dead:beef:cafe:babe:dead:beef:cafe:babe is down", "pii.ip_address")]
    [InlineData("send to 0x52908400098527886E0F7030069857D2E4169EE7 now", "pii.crypto_wallet")]
    public void Detect_Sentence_FindsExpectedType(string text, string type)
    {
        var finding = Assert.Single(PiiGuardrail.Detect(text));
        Assert.Equal(type, finding.Type);
    }

    [Theory]
    [InlineData("Order 4111111111111112 shipped")]
    [InlineData("SSN 666-12-3456 on file")]
    [InlineData("version 1.2.3 released")]
    [InlineData("The year 2024 had 365 days")]
    public void Detect_NearMisses_FindsNothing(string text) => Assert.Empty(PiiGuardrail.Detect(text));

    [Fact]
    public void Detect_CardFollowedByYear_StillFindsCard()
    {
        // The card is found beside the year, and the finding covers the whole digit run (no digit left beside the placeholder).
        var findings = PiiGuardrail.Detect("card 4111111111111111 2029 expires");
        Assert.Contains(findings, f => f.Type == "pii.credit_card" && f.Start == 5 && f.Length == 21);
    }

    [Fact]
    public async Task ScanAsync_Input_UsesVaultPlaceholdersSameValueSamePlaceholder()
    {
        var vault = new PiiVault();
        var context = new GuardrailContext(GuardrailStage.Input, [new ChatMessage(ChatRole.User, "x")], vault: vault);
        var result = await new PiiGuardrail().ScanAsync("a@example.com, b@example.com, a@example.com", context, default);

        Assert.Equal(GuardrailAction.Redact, result.Action);
        Assert.Equal("<EMAIL_1>, <EMAIL_2>, <EMAIL_1>", result.RedactedText);
        Assert.Equal("a@example.com and b@example.com", vault.Restore("<EMAIL_1> and <EMAIL_2>"));
    }

    [Fact]
    public async Task ScanAsync_Output_UsesTypedRedactionNotVault()
    {
        var vault = new PiiVault();
        var context = new GuardrailContext(GuardrailStage.Output, [], vault: vault);
        var result = await new PiiGuardrail().ScanAsync("mail a@example.com", context, default);

        Assert.Equal("mail [REDACTED_EMAIL]", result.RedactedText);
        Assert.Equal(0, vault.Count);
    }

    [Fact]
    public async Task ScanAsync_BlockMode_Blocks()
    {
        var context = new GuardrailContext(GuardrailStage.Input, []);
        var result = await new PiiGuardrail { Block = true }.ScanAsync("SSN 123-45-6789", context, default);

        Assert.Equal(GuardrailAction.Block, result.Action);
        Assert.Equal("pii.ssn", Assert.Single(result.Findings).Type);
    }

    [Fact]
    public void NextDigitRun_GivesTheDigitRunRegexsMatches_OnRandomTexts()
    {
        // The card scanner's digit runs are found without the regex (issue 16); they must be its matches exactly.
        const string Alphabet = "0123456789  --.+ab\n";
        var random = new Random(16);
        for (var t = 0; t < 3000; t++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(0, 60)).Select(_ => Alphabet[random.Next(Alphabet.Length)]));
            var expected = PiiGuardrail.DigitRun.Regex.Matches(text).Select(m => (m.Index, m.Index + m.Length)).ToList();
            var actual = new List<(int, int)>();
            for (var (start, end) = PiiGuardrail.NextDigitRun(text, 0); start >= 0; (start, end) = PiiGuardrail.NextDigitRun(text, end))
            {
                actual.Add((start, end));
            }

            Assert.Equal(expected, actual);
        }
    }
}
