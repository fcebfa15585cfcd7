using System.Collections.Immutable;

namespace ActorMesh.Runtime;

/// <summary>
/// Envoy's runtime (<c>Runtime::Loader</c>): keys looked up through a stack of layers, the last that has a key winning.
/// The bootstrap's <c>layered_runtime</c> static and disk layers come first (read once, when the loader is built),
/// then the in-memory <c>admin</c> layer that <c>/runtime_modify</c> writes; it appears once it holds a key. Readers
/// take an immutable snapshot, so a lookup never locks.
/// </summary>
public sealed class RuntimeLoader
{
    /// <summary>Envoy's name for the layer <c>/runtime_modify</c> writes.</summary>
    public const string AdminLayer = "admin";

    private readonly (string Name, ImmutableSortedDictionary<string, string> Values)[] _fixedLayers;
    private ImmutableSortedDictionary<string, string> _admin = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);

    public RuntimeLoader() : this([]) { }

    /// <param name="layers">The bootstrap's <c>layered_runtime.layers</c>, lowest priority first.</param>
    public RuntimeLoader(IEnumerable<Config.RuntimeLayerConfig> layers)
    {
        _fixedLayers = layers
            .Where(layer => layer.Kind != Config.RuntimeLayerKind.Admin)
            .Select(layer => (layer.Name, layer.Kind == Config.RuntimeLayerKind.Static
                ? layer.StaticValues.ToImmutableSortedDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal)
                : DiskLayer.Read(layer.DiskPath!)))
            .ToArray();
    }

    /// <summary>The layers in override order and each key's value per layer (<c>null</c> where a layer lacks it).</summary>
    public RuntimeSnapshot Snapshot()
    {
        var admin = Volatile.Read(ref _admin);
        var all = _fixedLayers.Append((Name: AdminLayer, Values: admin)).Where(l => l.Name != AdminLayer || !l.Values.IsEmpty).ToArray();
        var layers = all.Select(l => l.Name).ToImmutableArray();
        var entries = all.SelectMany(l => l.Values.Keys).Distinct().ToImmutableSortedDictionary(
            key => key,
            key => all.Select(l => l.Values.TryGetValue(key, out var v) ? v : null).ToImmutableArray(),
            StringComparer.Ordinal);
        return new RuntimeSnapshot(layers, entries);
    }

    public string? Get(string key)
    {
        if (Volatile.Read(ref _admin).TryGetValue(key, out var value))
        {
            return value;
        }
        for (var i = _fixedLayers.Length - 1; i >= 0; i--)
        {
            if (_fixedLayers[i].Values.TryGetValue(key, out value))
            {
                return value;
            }
        }
        return null;
    }

    /// <summary>Envoy's <c>mergeValues</c>: sets each key in the admin layer; an empty value removes the key.</summary>
    public void MergeValues(IEnumerable<KeyValuePair<string, string>> values)
    {
        ImmutableSortedDictionary<string, string> current, next;
        do
        {
            current = Volatile.Read(ref _admin);
            next = current;
            foreach (var (key, value) in values)
            {
                next = value.Length == 0 ? next.Remove(key) : next.SetItem(key, value);
            }
        }
        while (Interlocked.CompareExchange(ref _admin, next, current) != current);
    }
}

/// <param name="Layers">Layer names, lowest priority first.</param>
/// <param name="Entries">Per key, its value in each layer of <paramref name="Layers"/> (null: not in that layer).</param>
public sealed record RuntimeSnapshot(ImmutableArray<string> Layers, ImmutableSortedDictionary<string, ImmutableArray<string?>> Entries)
{
    public static string? FinalValue(ImmutableArray<string?> layerValues) => layerValues.LastOrDefault(v => v is not null);
}
