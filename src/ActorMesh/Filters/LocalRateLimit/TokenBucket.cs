using System.Diagnostics;
using ActorMesh.Config;

namespace ActorMesh.Filters.LocalRateLimit;

/// <summary>
/// Envoy's local rate limit token bucket, lock-free: full at start, <c>tokens_per_fill</c> more (up to
/// <c>max_tokens</c>) for every whole <c>fill_interval</c> since it was built. The refill is computed from the clock
/// when a token is taken, so no timer runs. State is one 64-bit word: the fill epoch (intervals since start) in the
/// high half, the tokens left in the low half, swapped with a compare-exchange.
/// </summary>
internal sealed class TokenBucket
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly long _intervalTicks;
    private readonly uint _maxTokens;
    private readonly uint _tokensPerFill;
    private long _state;

    public TokenBucket(TokenBucketConfig config)
    {
        _intervalTicks = Math.Max(1, (long)(config.FillInterval.TotalSeconds * Stopwatch.Frequency));
        _maxTokens = (uint)config.MaxTokens;
        _tokensPerFill = (uint)config.TokensPerFill;
        _state = _maxTokens;
    }

    public bool TryConsume()
    {
        var epoch = (uint)((Stopwatch.GetTimestamp() - _start) / _intervalTicks);
        while (true)
        {
            var state = Volatile.Read(ref _state);
            var stateEpoch = (uint)(state >> 32);
            var tokens = (uint)state;
            if (epoch != stateEpoch)
            {
                var refill = (ulong)(uint)(epoch - stateEpoch) * _tokensPerFill;
                tokens = (uint)Math.Min(_maxTokens, tokens + refill);
            }
            if (tokens == 0)
            {
                return false;
            }
            var next = ((long)epoch << 32) | (tokens - 1);
            if (Interlocked.CompareExchange(ref _state, next, state) == state)
            {
                return true;
            }
        }
    }
}
