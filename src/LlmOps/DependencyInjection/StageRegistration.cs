using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LlmOps.DependencyInjection;

/// <summary>
/// The stage contract's registration half, shared by every <c>AddXxx</c>: options registered once with the library's
/// validator and <c>ValidateOnStart</c>, every <c>configure</c> composed in call order, and a marker that tells
/// <c>UseLlmOps()</c> the stage is on.
/// </summary>
internal static class StageRegistration
{
    /// <summary>Registers <typeparamref name="TOptions"/> for a stage and adds <paramref name="configure"/>.</summary>
    /// <typeparam name="TOptions">The stage's options.</typeparam>
    /// <param name="services">The services.</param>
    /// <param name="configure">Another configuration action, or <see langword="null"/>.</param>
    /// <param name="registerOnce">
    /// Registers the stage's services the first time (before <paramref name="configure"/>, so defaults it configures come
    /// first), or <see langword="null"/>.
    /// </param>
    /// <returns><see langword="true"/> the first time.</returns>
    public static bool AddStageOptions<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(IServiceCollection services, Action<TOptions>? configure, Action<IServiceCollection>? registerOnce = null)
        where TOptions : class, IValidatableOptions
    {
        ArgumentNullException.ThrowIfNull(services);
        var first = !services.Any(static d => d.ServiceType == typeof(Marker<TOptions>));
        if (first)
        {
            services.AddSingleton<Marker<TOptions>>();
            services.AddOptions<TOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, ValidatableOptionsValidator<TOptions>>());
            registerOnce?.Invoke(services);
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return first;
    }

    /// <summary>Gets a value indicating whether <c>AddXxx</c> registered the stage whose options are <typeparamref name="TOptions"/>.</summary>
    /// <typeparam name="TOptions">The stage's options.</typeparam>
    /// <param name="services">The provider.</param>
    /// <returns><see langword="true"/> when registered.</returns>
    public static bool IsRegistered<TOptions>(IServiceProvider services)
        where TOptions : class, IValidatableOptions
        => services.GetService<Marker<TOptions>>() is not null;

    /// <summary>
    /// The options a decorator is built with. Without <paramref name="configure"/>: the shared, validated instance when
    /// the stage is registered, else the defaults. With it: a private instance, built by every registered
    /// <c>AddXxx</c> action (or from the defaults), then adjusted by <paramref name="configure"/> and validated, so one
    /// client's adjustments never reach another.
    /// </summary>
    /// <typeparam name="TOptions">The stage's options.</typeparam>
    /// <param name="services">The provider.</param>
    /// <param name="configure">Adjusts this decorator's options only, or <see langword="null"/>.</param>
    /// <param name="createDefault">Creates the defaults when the stage is not registered; <c>new()</c> when <see langword="null"/>.</param>
    /// <returns>Validated options.</returns>
    /// <exception cref="OptionsValidationException">An option is invalid; the message names it.</exception>
    public static TOptions ResolveOptions<TOptions>(IServiceProvider services, Action<TOptions>? configure, Func<TOptions>? createDefault = null)
        where TOptions : class, IValidatableOptions, new()
    {
        var registered = IsRegistered<TOptions>(services);
        if (configure is null && registered)
        {
            return services.GetRequiredService<IOptions<TOptions>>().Value;
        }

        var options = registered
            ? services.GetRequiredService<IOptionsFactory<TOptions>>().Create(Options.DefaultName)
            : createDefault?.Invoke() ?? new TOptions();
        configure?.Invoke(options);
        return ValidatableOptionsValidator<TOptions>.ThrowIfInvalid(options);
    }

    /// <summary>Marks a collection on which a stage was registered.</summary>
    /// <typeparam name="TOptions">The stage's options.</typeparam>
    private sealed class Marker<TOptions>;
}
