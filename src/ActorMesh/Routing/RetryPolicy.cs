using ActorMesh.Config;

namespace ActorMesh.Routing;

/// <summary>A route's <c>retry_policy</c> compiled once per config (Envoy's <c>RetryPolicyImpl</c>), shared by every request.</summary>
public sealed class RetryPolicy
{
    /// <summary>The defaults a request gets from <c>x-envoy-retry-on</c> on a route without a policy.</summary>
    public static readonly RetryPolicy HeaderOnly = new(new RetryPolicyConfig(RetryOn.None));

    public RetryPolicy(RetryPolicyConfig config)
    {
        Config = config;
        BaseIntervalMs = Math.Max(1, (long)config.BaseInterval.TotalMilliseconds);
        MaxIntervalMs = config.MaxInterval is { } max
            ? Math.Max(BaseIntervalMs, (long)max.TotalMilliseconds)
            : BaseIntervalMs * RetryPolicyConfig.DefaultMaxIntervalFactor;
        StatusCodes = config.RetriableStatusCodes.ToArray();
        RetriableHeaders = config.RetriableHeaders.Select(h => new HeaderMatcher(h)).ToArray();
        RetriableRequestHeaders = config.RetriableRequestHeaders.Select(h => new HeaderMatcher(h)).ToArray();
    }

    public RetryPolicyConfig Config { get; }

    public RetryOn RetryOn => Config.RetryOn;

    public uint NumRetries => Config.NumRetries;

    public TimeSpan PerTryTimeout => Config.PerTryTimeout;

    public long BaseIntervalMs { get; }

    public long MaxIntervalMs { get; }

    internal int[] StatusCodes { get; }

    internal HeaderMatcher[] RetriableHeaders { get; }

    internal HeaderMatcher[] RetriableRequestHeaders { get; }
}
