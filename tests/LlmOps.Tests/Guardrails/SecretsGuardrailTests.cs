using LlmOps.Guardrails;
using LlmOps.Guardrails.Scanners;

namespace LlmOps.Tests.Guardrails;

public sealed class SecretsGuardrailTests
{
    public static TheoryData<string, string> Secrets()
    {
        var rng = new Random(42);
        return new TheoryData<string, string>
        {
            { TestSecrets.AwsAccessKeyId(rng), "secret.aws_access_key" },
            { TestSecrets.GitHub(rng), "secret.github_token" },
            { TestSecrets.GitHubFineGrained(rng), "secret.github_token" },
            { TestSecrets.GitLab(rng), "secret.gitlab_token" },
            { TestSecrets.Slack(rng), "secret.slack_token" },
            { TestSecrets.Stripe(rng), "secret.stripe_key" },
            { TestSecrets.OpenAi(rng), "secret.openai_key" },
            { TestSecrets.Jwt(rng), "secret.jwt" },
            { TestSecrets.PrivateKey(rng), "secret.private_key" },
        };
    }

    [Theory]
    [MemberData(nameof(Secrets))]
    public void Detect_KnownFormat_FindsItWithType(string secret, string type)
    {
        var text = $"config: {secret}\nend";
        var finding = Assert.Single(new SecretsGuardrail().Detect(text));

        Assert.Equal(type, finding.Type);
        Assert.Equal(text.IndexOf(secret, StringComparison.Ordinal), finding.Start);
        Assert.Equal(secret.Length, finding.Length);
    }

    [Fact]
    public void Detect_AwsSecretAssignment_RedactsOnlyTheValue()
    {
        var secret = TestSecrets.AwsSecretKey(new Random(5));
        var text = $"aws_secret_access_key = {secret}";
        var finding = Assert.Single(new SecretsGuardrail().Detect(text));

        Assert.Equal("secret.aws_secret_key", finding.Type);
        Assert.Equal(text.IndexOf(secret, StringComparison.Ordinal), finding.Start);
    }

    [Fact]
    public void Detect_UrlPassword_RedactsOnlyThePassword()
    {
        var url = TestSecrets.UrlPassword(new Random(6), out var password);
        var finding = Assert.Single(new SecretsGuardrail().Detect($"DATABASE_URL={url}"));

        Assert.Equal("secret.url_password", finding.Type);
        Assert.Equal(password.Length, finding.Length);
    }

    [Fact]
    public void Detect_HighEntropyString_AboveThresholdOnly()
    {
        var token = TestSecrets.HighEntropy(new Random(7));
        Assert.Equal("secret.high_entropy", Assert.Single(new SecretsGuardrail().Detect($"token={token}")).Type);
        Assert.Empty(new SecretsGuardrail { EntropyThreshold = 7 }.Detect($"token={token}"));
    }

    [Theory]
    [InlineData("The quick brown fox jumps over the lazy dog repeatedly.")]
    [InlineData("See https://learn.microsoft.com/en-us/dotnet/api/system.text.regularexpressions for details")]
    [InlineData("internationalization_and_localization_guidelines_2024")]
    [InlineData("Use the sk-learn library and the gh_pages branch.")]
    [InlineData("id 550e8400-e29b-41d4-a716-446655440000 is a uuid")]
    public void Detect_OrdinaryText_FindsNothing(string text) => Assert.Empty(new SecretsGuardrail().Detect(text));

    [Fact]
    public async Task ScanAsync_BlockMode_Blocks()
    {
        var result = await new SecretsGuardrail { Block = true }.ScanAsync(TestSecrets.GitHub(new Random(8)), new GuardrailContext(GuardrailStage.Input, []), default);
        Assert.Equal(GuardrailAction.Block, result.Action);
    }

    [Fact]
    public void Entropy_KnownValues()
    {
        Assert.Equal(0, SecretsGuardrail.Entropy("aaaa"));
        Assert.Equal(2, SecretsGuardrail.Entropy("abcd"), 6);
        Assert.Equal(0, SecretsGuardrail.Entropy(string.Empty));
    }
}
