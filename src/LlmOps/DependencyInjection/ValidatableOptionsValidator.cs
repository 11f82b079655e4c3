using Microsoft.Extensions.Options;

namespace LlmOps.DependencyInjection;

/// <summary>The one <see cref="IValidateOptions{TOptions}"/> of the library: it runs the options' own <see cref="IValidatableOptions.Validate"/>.</summary>
/// <typeparam name="TOptions">The options type.</typeparam>
internal sealed class ValidatableOptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class, IValidatableOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Throws the same exception that startup validation throws when <paramref name="options"/> are invalid.</summary>
    /// <param name="options">The options.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="OptionsValidationException">An option is invalid; the message names it.</exception>
    public static TOptions ThrowIfInvalid(TOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? options : throw new OptionsValidationException(typeof(TOptions).Name, typeof(TOptions), errors);
    }

    /// <summary>For constructors that take options directly: throws an argument exception naming every bad option.</summary>
    /// <param name="options">The options.</param>
    /// <param name="paramName">The parameter that carried them.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid; the message names it.</exception>
    public static TOptions ThrowIfInvalidArgument(TOptions options, string paramName)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? options : throw new ArgumentOutOfRangeException(paramName, string.Join(" ", errors));
    }
}
