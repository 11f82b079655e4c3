namespace LlmOps.DependencyInjection;

/// <summary>
/// Implemented by every stage's options: one validation idiom for the whole library. <see cref="Validate"/> returns one
/// message per bad value, each naming the option, the value and the allowed range; <see cref="StageRegistration"/>
/// turns the messages into an <c>OptionsValidationException</c> at startup (<c>ValidateOnStart</c>) and when a
/// <c>UseXxx(configure)</c> call builds options of its own.
/// </summary>
internal interface IValidatableOptions
{
    /// <summary>Checks the options.</summary>
    /// <returns>The problems found; empty when the options are valid.</returns>
    IReadOnlyList<string> Validate();
}
