namespace ActorMesh.Config;

internal static class ReadResults
{
    /// <summary>
    /// The items as a model list, or null when any failed to read (its error is already reported). Every item is read
    /// first so one load reports the errors of all of them.
    /// </summary>
    public static EquatableArray<T>? AllOrNull<T>(IEnumerable<T?> items)
        where T : class
    {
        var read = items.ToArray();
        return read.Any(item => item is null) ? null : read.Select(item => item!).ToEquatableArray();
    }
}
