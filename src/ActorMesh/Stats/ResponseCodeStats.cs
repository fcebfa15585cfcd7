namespace ActorMesh.Stats;

/// <summary>
/// Envoy's dynamic per-response-code counters of one scope: <c>&lt;prefix&gt;_&lt;code&gt;</c> (when
/// <paramref name="perCode"/>) and <c>&lt;prefix&gt;_&lt;N&gt;xx</c>. Each is created the first time its code is seen;
/// after that counting is an array index, with no lock and no lookup.
/// </summary>
public sealed class ResponseCodeStats
{
    private const int MaxCode = 599;

    private readonly StatsScope _scope;
    private readonly string _prefix;
    private readonly Counter?[]? _byCode;
    private readonly Counter?[] _byClass = new Counter?[6];

    public ResponseCodeStats(StatsScope scope, string prefix, bool perCode)
    {
        _scope = scope;
        _prefix = prefix;
        _byCode = perCode ? new Counter?[MaxCode + 1] : null;
    }

    /// <summary>Creates the class counters up front, for stats Envoy lists before any request (<c>downstream_rq_2xx</c>).</summary>
    public ResponseCodeStats WithClassesCreated()
    {
        for (var c = 1; c <= 5; c++)
        {
            _byClass[c] = _scope.Counter($"{_prefix}_{c}xx");
        }
        return this;
    }

    public void Count(int status)
    {
        if (status is < 100 or > MaxCode)
        {
            return;
        }
        var statusClass = status / 100;
        (Volatile.Read(ref _byClass[statusClass]) ?? Create(_byClass, statusClass, $"{_prefix}_{statusClass}xx")).Inc();
        if (_byCode is not null)
        {
            (Volatile.Read(ref _byCode[status]) ?? Create(_byCode, status, $"{_prefix}_{status}")).Inc();
        }
    }

    // The scope hands every racing creator the same counter, so publishing it twice is harmless.
    private Counter Create(Counter?[] slots, int index, string name)
    {
        var counter = _scope.Counter(name);
        Volatile.Write(ref slots[index], counter);
        return counter;
    }
}
