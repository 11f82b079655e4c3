using LlmOps.Caching;
using LlmOps.DependencyInjection;
using LlmOps.Metering;
using LlmOps.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LlmOps;

/// <summary>Puts the state that many instances share in Redis (<c>LlmOps.Redis</c>) on an <see cref="LlmOpsBuilder"/>.</summary>
public static class RedisLlmOpsBuilderExtensions
{
    /// <summary>
    /// Registers one Redis connection and, in place of the in-memory defaults, the <see cref="RedisSemanticCacheStore"/>
    /// (as <see cref="ISemanticCacheStore"/>) and the <see cref="RedisBudgetStore"/> (as <see cref="IBudgetStore"/>).
    /// Options are validated at startup, and the connection is made then: a Redis that cannot be reached fails startup
    /// with a message naming the host, unless <see cref="RedisOptions.LazyConnect"/> is set. Calling it again only adds
    /// <paramref name="configure"/>. An <see cref="IConnectionMultiplexer"/> registered before is used as is.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the connection string and the stores' settings.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">At startup, when an option is invalid or Redis cannot be reached.</exception>
    public static LlmOpsBuilder AddRedis(this LlmOpsBuilder builder, Action<RedisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        StageRegistration.AddStageOptions(builder.Services, configure, static services =>
        {
            services.TryAddSingleton<RedisConnector>();
            services.TryAddSingleton<IConnectionMultiplexer>(static sp => sp.GetRequiredService<RedisConnector>().Get(sp.GetRequiredService<IOptions<RedisOptions>>().Value));
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisOptions>, RedisConnectionValidator>());
            services.Replace(ServiceDescriptor.Singleton<ISemanticCacheStore>(static sp => new RedisSemanticCacheStore(
                sp.GetRequiredService<IConnectionMultiplexer>(),
                sp.GetRequiredService<IOptions<RedisOptions>>().Value,
                sp.GetService<TimeProvider>(),
                sp.GetService<ILoggerFactory>()?.CreateLogger<RedisSemanticCacheStore>())));
            services.Replace(ServiceDescriptor.Singleton<IBudgetStore>(static sp => new RedisBudgetStore(
                sp.GetRequiredService<IConnectionMultiplexer>(),
                sp.GetRequiredService<IOptions<RedisOptions>>().Value,
                sp.GetService<ILoggerFactory>()?.CreateLogger<RedisBudgetStore>())));
        });
        return builder;
    }
}
