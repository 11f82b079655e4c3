namespace LlmOps.Metering;

/// <summary>
/// The prices of one model, per 1M tokens, and for self-hosted models per GPU second. All money is
/// <see langword="decimal"/>.
/// </summary>
/// <param name="Input">The price of 1M uncached input tokens.</param>
/// <param name="Output">The price of 1M output tokens (reasoning tokens included).</param>
/// <param name="CachedInput">The price of 1M cached input tokens; <see langword="null"/> prices them as <paramref name="Input"/>.</param>
/// <param name="GpuPerSecond">The cost of one GPU second for self-hosted models; <see langword="null"/> when not priced by GPU time.</param>
/// <param name="Currency">The ISO 4217 currency code; only <c>USD</c> is supported.</param>
public sealed record ModelPrice(
    decimal Input,
    decimal Output,
    decimal? CachedInput = null,
    decimal? GpuPerSecond = null,
    string Currency = ModelPrice.Usd)
{
    /// <summary>The only supported currency: <c>USD</c>.</summary>
    public const string Usd = "USD";

    /// <summary>Gets a price of <paramref name="perMillion"/> for both input and output tokens.</summary>
    /// <param name="perMillion">The price per 1M tokens.</param>
    /// <returns>The price.</returns>
    public static ModelPrice Flat(decimal perMillion) => new(perMillion, perMillion);

    /// <summary>Checks the prices and returns one message per problem, each naming <paramref name="owner"/> and the field.</summary>
    /// <param name="owner">What the price belongs to, for the messages (for example <c>model 'gpt-4o'</c>).</param>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate(string owner)
    {
        var errors = new List<string>();
        Check(errors, owner, nameof(Input), Input);
        Check(errors, owner, nameof(Output), Output);
        Check(errors, owner, nameof(CachedInput), CachedInput);
        Check(errors, owner, nameof(GpuPerSecond), GpuPerSecond);
        if (!string.Equals(Currency, Usd, StringComparison.Ordinal))
        {
            errors.Add($"The price of {owner} has unknown currency '{Currency}' in field Currency; only '{Usd}' is supported. Convert the price to USD.");
        }

        return errors;
    }

    private static void Check(List<string> errors, string owner, string field, decimal? value)
    {
        if (value < 0)
        {
            errors.Add($"The price of {owner} has a negative {field} ({value}); prices must be zero or more.");
        }
    }
}
