namespace LlmOps.Metering;

/// <summary>The tiktoken encodings <see cref="TokenCounter"/> ships (offline, from the Microsoft.ML.Tokenizers data packages).</summary>
public enum TokenEncoding
{
    /// <summary><c>o200k_base</c>: gpt-4o, gpt-4.1, gpt-4.5, gpt-5 and the o-series; the default for unknown models.</summary>
    O200kBase = 0,

    /// <summary><c>cl100k_base</c>: gpt-4, gpt-3.5-turbo and the text-embedding-3 and ada-002 models.</summary>
    Cl100kBase = 1,
}
