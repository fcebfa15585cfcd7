using ActorMesh.Config;
using ActorMesh.Filters.LocalRateLimit;
using Xunit;

namespace ActorMesh.Tests.Filters;

public sealed class TokenBucketTests
{
    [Fact]
    public void Starts_full_and_hands_out_exactly_max_tokens_across_threads()
    {
        var bucket = new TokenBucket(new TokenBucketConfig(1000, 1, TimeSpan.FromHours(1)));
        var granted = 0;

        Parallel.For(0, 5000, _ =>
        {
            if (bucket.TryConsume())
            {
                Interlocked.Increment(ref granted);
            }
        });

        Assert.Equal(1000, granted);
        Assert.False(bucket.TryConsume());
    }

    [Fact]
    public async Task Refills_no_more_than_max_tokens_however_long_it_waited()
    {
        var bucket = new TokenBucket(new TokenBucketConfig(2, 5, TimeSpan.FromMilliseconds(50)));
        Assert.True(bucket.TryConsume());
        Assert.True(bucket.TryConsume());
        Assert.False(bucket.TryConsume());

        // A refill is a matter of elapsed time; three intervals would add 15 tokens but the bucket holds 2.
        await Task.Delay(160);

        Assert.True(bucket.TryConsume());
        Assert.True(bucket.TryConsume());
        Assert.False(bucket.TryConsume());
    }
}
