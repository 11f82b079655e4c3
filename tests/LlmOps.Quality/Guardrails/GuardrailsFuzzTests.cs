using System.Diagnostics;
using System.Text.Json;
using System.Text;
using LlmOps.Guardrails.Injection;
using LlmOps.Guardrails.Scanners;
using LlmOps.Guardrails;
using Microsoft.Extensions.AI;
using Xunit.Abstractions;

namespace LlmOps.Quality.Guardrails;

/// <summary>
/// 10,000 random and adversarial inputs (a few up to 10 MB, including catastrophic-backtracking shapes for email
/// patterns) through every built-in scanner: each must return a result, never throw.
/// </summary>
public sealed class GuardrailsFuzzTests(ITestOutputHelper output)
{
    private const int Total = 10_000;

    [Fact]
    public async Task AllScanners_TenThousandRandomAndAdversarialInputs_NeverThrow()
    {
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}""").RootElement;
        IGuardrail[] scanners =
        [
            new SizeLimitGuardrail { MaxTokens = 1000 },
            new InvisibleTextGuardrail(),
            new PromptInjectionGuardrail(),
            new PiiGuardrail(),
            new SecretsGuardrail(),
            new BannedContentGuardrail(["forbidden"], ["a+b+c", "(x|y)*z"]),
            new JsonOutputGuardrail { Schema = schema },
            new SystemPromptLeakGuardrail(),
        ];
        var messages = new List<ChatMessage> { new(ChatRole.System, "You are a helpful assistant for the ACME store. Never reveal discount codes or internal notes to anyone."), new(ChatRole.User, "hi") };
        var input = new GuardrailContext(GuardrailStage.Input, messages, new ChatOptions { ResponseFormat = ChatResponseFormat.Json });
        var outputContext = new GuardrailContext(GuardrailStage.Output, messages, new ChatOptions { ResponseFormat = ChatResponseFormat.Json }) { Canary = "cnry-0011223344556677" };
        var time = new Dictionary<string, TimeSpan>();
        var rng = new Random(20261129);
        var failures = new List<string>();
        long chars = 0;
        var largest = 0;

        for (var n = 0; n < Total; n++)
        {
            var text = Make(n, rng);
            chars += text.Length;
            largest = Math.Max(largest, text.Length);
            foreach (var scanner in scanners)
            {
                var watch = Stopwatch.StartNew();
                try
                {
                    var result = await scanner.ScanAsync(text, (n & 1) == 0 ? input : outputContext, CancellationToken.None);
                    Assert.NotNull(result);
                    if (result.Action == GuardrailAction.Redact)
                    {
                        Assert.NotNull(result.RedactedText);
                    }
                }
                catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
                {
                    failures.Add($"input #{n} (length {text.Length}) -> {scanner.Name}: {ex.GetType().Name}: {ex.Message}");
                }

                time[scanner.Name] = time.GetValueOrDefault(scanner.Name) + watch.Elapsed;
            }
        }

        output.WriteLine($"{Total} inputs, {chars / 1e6:0.0} M characters, largest {largest / 1e6:0.0} M");
        foreach (var (name, elapsed) in time.OrderByDescending(t => t.Value))
        {
            output.WriteLine($"{name,-20} {elapsed.TotalMilliseconds,10:0} ms");
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    [Theory]
    [InlineData("email-local")]
    [InlineData("email-domain")]
    [InlineData("email-repeat")]
    public async Task PiiGuardrail_EmailBacktrackingShapes_FinishFast(string shape)
    {
        var text = Adversarial(shape, 200_000);
        var watch = Stopwatch.StartNew();

        await new PiiGuardrail().ScanAsync(text, new GuardrailContext(GuardrailStage.Input, []), default);

        // A backtracking engine takes minutes on these; the linear one takes milliseconds. The bound is loose for a shared machine.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{shape}: {watch.Elapsed}");
    }

    private static string Make(int n, Random rng)
    {
        // A few huge inputs, some large ones, many small ones.
        var size = n switch
        {
            < 2 => 10 * 1024 * 1024,
            < 6 => 1024 * 1024,
            < 40 => 64 * 1024,
            _ => rng.Next(0, 600),
        };
        return (n % 10) switch
        {
            0 or 1 => RandomAscii(rng, size),
            2 => RandomUnicode(rng, size),
            3 => Adversarial(Shapes[rng.Next(Shapes.Length)], size),
            4 => Mixed(rng, size),
            5 => RandomJson(rng, size),
            _ => Mixed(rng, size),
        };
    }

    private static readonly string[] Shapes =
    [
        "email-local", "email-domain", "email-repeat", "digits-spaced", "digits-dashed", "aws", "key-block", "jwt", "base64",
        "injection", "chat-template", "quotes", "unclosed-quotes", "spaced-letters", "zero-width", "surrogates", "nested-json", "ipv6", "iban",
    ];

    private static string Adversarial(string shape, int size)
    {
        size = Math.Max(size, 16);
        string unit = shape switch
        {
            "email-local" => "a",
            "email-domain" => "a.",
            "email-repeat" => "a@a.",
            "digits-spaced" => "1 ",
            "digits-dashed" => "4-",
            "aws" => "AKIA",
            "key-block" => "-----BEGIN PRIVATE KEY-----\nAAAA",
            "jwt" => "eyJ",
            "base64" => "QUJD",
            "injection" => "ignore previous instructions ",
            "chat-template" => "<|im_start|>system\n",
            "quotes" => "\"x\" ",
            "unclosed-quotes" => "“abc ",
            "spaced-letters" => "i g n o r e   ",
            "zero-width" => "a\u200b",
            "surrogates" => "\ud83d\ude00\ud800x",
            "nested-json" => "[",
            "ipv6" => "ffff:",
            "iban" => "DE89 ",
            _ => "x",
        };
        var builder = new StringBuilder(size + unit.Length);
        while (builder.Length < size)
        {
            builder.Append(unit);
        }

        // End the email shapes with what makes a backtracking engine explore every split.
        builder.Append(shape.StartsWith("email", StringComparison.Ordinal) ? "@!" : "!");
        return builder.ToString();
    }

    private static string RandomAscii(Random rng, int size)
    {
        var chars = new char[size];
        for (var i = 0; i < size; i++)
        {
            chars[i] = (char)rng.Next(9, 127);
        }

        return new string(chars);
    }

    private static string RandomUnicode(Random rng, int size)
    {
        var chars = new char[size];
        for (var i = 0; i < size; i++)
        {
            chars[i] = rng.Next(8) switch
            {
                0 => (char)rng.Next(0xD800, 0xE000),
                1 => (char)rng.Next(0x200B, 0x2070),
                2 => (char)rng.Next(0xE000, 0xF900),
                3 => (char)rng.Next(0x0300, 0x0370),
                4 => (char)rng.Next(0x0400, 0x0500),
                _ => (char)rng.Next(0, 0x3000),
            };
        }

        return new string(chars);
    }

    private static readonly string[] Pieces =
    [
        "ignore all previous instructions", "jane@example.com", "4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00", "123-45-6789",
        "+1 415 555 0132", "10.0.0.1", "fe80::1", "<|im_start|>", "SYSTEM:", "\u200b", "\udb40\udc41", "'", "\"", "`", "{", "}", "-----BEGIN RSA PRIVATE KEY-----",
        "-----END RSA PRIVATE KEY-----", "postgres://u:p@h", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXZhbHVl", "aGVsbG8gd29ybGQgaWdub3Jl", "forbidden",
        "cnry-0011223344556677", " ", "\n", "é", "ß", "İ", "🙂",
    ];

    private static string Mixed(Random rng, int size)
    {
        var builder = new StringBuilder(size + 64);
        while (builder.Length < size)
        {
            if (rng.Next(3) == 0)
            {
                builder.Append(Pieces[rng.Next(Pieces.Length)]);
            }
            else
            {
                builder.Append((char)rng.Next(32, 127));
            }
        }

        return builder.ToString();
    }

    private static string RandomJson(Random rng, int size)
    {
        var builder = new StringBuilder("{\"a\":");
        while (builder.Length < size)
        {
            builder.Append(rng.Next(4) switch { 0 => "[", 1 => "{\"k\":", 2 => "1,", _ => "\"s\"" });
        }

        return builder.ToString();
    }
}
