using System.Collections.Immutable;

namespace ActorMesh.Runtime;

/// <summary>
/// Envoy's runtime (<c>Runtime::Loader</c>): keys looked up through a stack of layers, the last that has a key winning.
/// So far the only layer is the in-memory <c>admin</c> layer that <c>/runtime_modify</c> writes; it appears once it
/// holds a key. Readers take an immutable snapshot, so a lookup never locks.
/// </summary>
public sealed class RuntimeLoader
{
    /// <summary>Envoy's name for the layer <c>/runtime_modify</c> writes.</summary>
    public const string AdminLayer = "admin";

    private ImmutableSortedDictionary<string, string> _admin = ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal);

    /// <summary>The layers in override order and each key's value per layer (<c>null</c> where a layer lacks it).</summary>
    public RuntimeSnapshot Snapshot()
    {
        var admin = Volatile.Read(ref _admin);
        var layers = admin.IsEmpty ? ImmutableArray<string>.Empty : ImmutableArray.Create(AdminLayer);
        var entries = admin.ToImmutableSortedDictionary(kv => kv.Key, kv => ImmutableArray.Create<string?>(kv.Value), StringComparer.Ordinal);
        return new RuntimeSnapshot(layers, entries);
    }

    public string? Get(string key) => Volatile.Read(ref _admin).GetValueOrDefault(key);

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
