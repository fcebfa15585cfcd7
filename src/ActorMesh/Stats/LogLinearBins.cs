namespace ActorMesh.Stats;

/// <summary>
/// The log-linear binning of Envoy's histogram library (circllhist): two significant decimal digits, so a value lands
/// in one of 90 bins per power of ten (1.0–1.1, …, 9.9–10, 10–11, …). Quantiles are interpolated inside a bin exactly
/// as circllhist's <c>hist_approx_quantile</c> does, which is why one sample of 1 ms reads <c>P50 1.05</c> in Envoy.
/// </summary>
internal static class LogLinearBins
{
    // Values are whole milliseconds; 10^13 ms (three centuries) and above share the last bin.
    private const int MaxExponent = 12;
    private const int BinsPerDecade = 90;

    /// <summary>Bin 0 holds zero; then 90 bins for each exponent 0..12.</summary>
    public const int Count = 1 + (MaxExponent + 1) * BinsPerDecade;

    private static readonly long[] PowersOfTen = Enumerable.Range(0, MaxExponent + 2).Select(e => (long)Math.Pow(10, e)).ToArray();

    /// <summary>Envoy's supported quantiles, in the order <c>/stats</c> prints them.</summary>
    public static readonly double[] SupportedQuantiles = [0, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 1];

    public static int Index(long value)
    {
        if (value <= 0)
        {
            return 0;
        }
        var exponent = 0;
        while (exponent < MaxExponent && value >= PowersOfTen[exponent + 1])
        {
            exponent++;
        }
        if (value >= PowersOfTen[MaxExponent + 1])
        {
            return Count - 1;
        }
        // Two significant digits, 10..99: circllhist's bucket "val".
        var mantissa = value * 10 / PowersOfTen[exponent];
        return 1 + exponent * BinsPerDecade + (int)(mantissa - 10);
    }

    /// <summary>circllhist's <c>hist_bucket_to_double</c>: the bin's lower edge.</summary>
    public static double Left(int index)
    {
        if (index == 0)
        {
            return 0;
        }
        var (exponent, mantissa) = Math.DivRem(index - 1, BinsPerDecade);
        return (mantissa + 10) / 10.0 * PowersOfTen[exponent];
    }

    /// <summary>circllhist's <c>hist_bucket_to_double_bin_width</c>.</summary>
    public static double Width(int index) => index == 0 ? 0 : PowersOfTen[(index - 1) / BinsPerDecade] / 10.0;

    /// <summary>
    /// circllhist's <c>hist_approx_quantile</c> over <paramref name="bins"/> (counts per bin): NaN for every quantile
    /// when there are no samples, as Envoy prints <c>nan</c> for an empty interval.
    /// </summary>
    public static double[] Quantiles(ReadOnlySpan<long> bins)
    {
        var result = new double[SupportedQuantiles.Length];
        long total = 0;
        foreach (var count in bins)
        {
            total += count;
        }
        if (total == 0)
        {
            Array.Fill(result, double.NaN);
            return result;
        }
        var bin = NextUsed(bins, -1);
        var binLeft = Left(bin);
        var binWidth = Width(bin);
        double lower = 0;
        double upper = bins[bin];
        for (var q = 0; q < SupportedQuantiles.Length; q++)
        {
            var wanted = SupportedQuantiles[q] * total;
            while (upper < wanted && NextUsed(bins, bin) is var next && next >= 0)
            {
                bin = next;
                binLeft = Left(bin);
                binWidth = Width(bin);
                lower = upper;
                upper = lower + bins[bin];
            }
            if (lower == wanted)
            {
                result[q] = binLeft;
            }
            else if (upper == wanted)
            {
                result[q] = binLeft + binWidth;
            }
            else
            {
                result[q] = binWidth == 0 ? binLeft : binLeft + (wanted - lower) / (upper - lower) * binWidth;
            }
        }
        return result;
    }

    private static int NextUsed(ReadOnlySpan<long> bins, int after)
    {
        for (var i = after + 1; i < bins.Length; i++)
        {
            if (bins[i] > 0)
            {
                return i;
            }
        }
        return -1;
    }
}
