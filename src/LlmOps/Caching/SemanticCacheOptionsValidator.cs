using Microsoft.Extensions.Options;

namespace LlmOps.Caching;

/// <summary>Validates <see cref="SemanticCacheOptions"/> at startup.</summary>
internal sealed class SemanticCacheOptionsValidator : IValidateOptions<SemanticCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, SemanticCacheOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
