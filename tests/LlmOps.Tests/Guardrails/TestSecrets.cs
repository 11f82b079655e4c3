namespace LlmOps.Tests.Guardrails;

/// <summary>
/// Builds credential-shaped test strings at run time from a seeded generator, so the repository itself holds nothing
/// that a secret scanner would mistake for a live credential.
/// </summary>
internal static class TestSecrets
{
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string Digits = "0123456789";
    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string Base64 = Alnum + "+/";
    private const string UrlSafe = Alnum + "_-";

    public static string Random(Random rng, string alphabet, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[rng.Next(alphabet.Length)];
        }

        // Guarantee the letter-digit mix a real token has.
        if (length > 2 && alphabet.Contains('7', StringComparison.Ordinal) && alphabet.Contains('Q', StringComparison.Ordinal))
        {
            chars[length / 2] = '7';
            chars[length / 3] = 'Q';
        }

        return new string(chars);
    }

    public static string AwsAccessKeyId(Random rng) => string.Concat("AK", "IA", Random(rng, Upper + Digits, 16));

    public static string AwsSecretKey(Random rng) => Random(rng, Base64, 40);

    public static string GitHub(Random rng) => string.Concat("gh", "p_", Random(rng, Alnum, 36));

    public static string GitHubFineGrained(Random rng) => string.Concat("github", "_pat_", Random(rng, Alnum, 22), "_", Random(rng, Alnum, 59));

    public static string GitLab(Random rng) => string.Concat("gl", "pat-", Random(rng, Alnum, 20));

    public static string Slack(Random rng) => string.Concat("xo", "xb-", Random(rng, Digits, 12), "-", Random(rng, Digits, 13), "-", Random(rng, Alnum, 24));

    public static string Stripe(Random rng) => string.Concat("sk", "_live_", Random(rng, Alnum, 24));

    public static string OpenAi(Random rng) => string.Concat("sk", "-proj-", Random(rng, UrlSafe, 48));

    public static string Jwt(Random rng)
    {
        var header = Convert.ToBase64String("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8.ToArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var body = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{{\"sub\":\"{rng.Next()}\",\"name\":\"Test User\",\"iat\":{rng.Next()}}}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{header}.{body}.{Random(rng, UrlSafe, 43)}";
    }

    public static string PrivateKey(Random rng)
    {
        var lines = string.Join("\n", Enumerable.Range(0, 6).Select(_ => Random(rng, Base64, 64)));
        return string.Concat("-----BEGIN ", "RSA PRIVATE", " KEY-----\n", lines, "\n-----END ", "RSA PRIVATE", " KEY-----");
    }

    public static string UrlPassword(Random rng, out string password)
    {
        password = Random(rng, Alnum, 14);
        return $"postgres://app_user:{password}@db.internal.example:5432/orders";
    }

    public static string HighEntropy(Random rng) => Random(rng, Base64, 44);
}
