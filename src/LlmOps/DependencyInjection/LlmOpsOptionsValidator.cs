using Microsoft.Extensions.Options;

namespace LlmOps.DependencyInjection;

/// <summary>Validates <see cref="LlmOpsOptions"/> when they are first built (at startup with <c>ValidateOnStart</c>).</summary>
internal sealed class LlmOpsOptionsValidator : IValidateOptions<LlmOpsOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmOpsOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
