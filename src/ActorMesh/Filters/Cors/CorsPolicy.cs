using ActorMesh.Config;
using ActorMesh.Runtime;
using ActorMesh.Stats;

namespace ActorMesh.Filters.Cors;

/// <summary>One level's <c>CorsPolicy</c> (route or virtual host) with its origin matchers compiled.</summary>
internal sealed class CorsPolicy(CorsPolicyConfig config)
{
    public CorsPolicyConfig Config { get; } = config;

    public StringMatcher[]? AllowOrigins { get; } = config.AllowOrigins?.Select(m => new StringMatcher(m)).ToArray();

    /// <summary><c>filter_enabled</c>, or v2's <c>enabled</c> (true by default) when it is unset.</summary>
    public bool Enabled(RuntimeLoader? runtime) =>
        Config.FilterEnabled is { } fraction ? RuntimeFeature.Enabled(runtime, fraction) : Config.LegacyEnabled;

    public bool ShadowEnabled(RuntimeLoader? runtime) => RuntimeFeature.Enabled(runtime, Config.ShadowEnabled);
}
