using Microsoft.Extensions.Options;

namespace LlmOps.Guardrails;

/// <summary>Validates <see cref="GuardrailsOptions"/> at startup.</summary>
internal sealed class GuardrailsOptionsValidator : IValidateOptions<GuardrailsOptions>
{
    public ValidateOptionsResult Validate(string? name, GuardrailsOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
