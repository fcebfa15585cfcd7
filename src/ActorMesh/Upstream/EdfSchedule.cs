namespace ActorMesh.Upstream;

/// <summary>
/// One full cycle of Envoy's EDF (earliest deadline first) scheduler: each entry's next deadline is its last plus
/// 1/weight, ties go to the earlier entry. Over the cycle every entry appears exactly weight times, interleaved.
/// </summary>
internal static class EdfSchedule
{
    /// <summary>Cycles longer than this scale weights down proportionally (each keeps at least 1).</summary>
    private const long MaxCycle = 1 << 16;

    public static T[] Build<T>(IReadOnlyList<T> entries, Func<T, uint> weightOf)
    {
        var weights = entries.Select(e => (long)Math.Max(1u, weightOf(e))).ToArray();
        if (weights.All(w => w == weights[0]))
        {
            return entries.ToArray();
        }
        var total = weights.Sum();
        if (total > MaxCycle)
        {
            var scale = (double)MaxCycle / total;
            weights = weights.Select(w => Math.Max(1L, (long)(w * scale))).ToArray();
            total = weights.Sum();
        }
        var queue = new PriorityQueue<int, (double Deadline, int Index)>();
        for (var i = 0; i < weights.Length; i++)
        {
            queue.Enqueue(i, (1.0 / weights[i], i));
        }
        var schedule = new T[total];
        for (var n = 0; n < total; n++)
        {
            queue.TryDequeue(out var i, out var key);
            schedule[n] = entries[i];
            queue.Enqueue(i, (key.Deadline + 1.0 / weights[i], i));
        }
        return schedule;
    }
}
