namespace ActorMesh.Node;

/// <summary>Process-wide runtime settings that must be in place before the first socket is opened.</summary>
internal static class RuntimeSettings
{
    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Socket completions run on the epoll thread that saw them instead of hopping to the thread pool first. Every
    /// continuation the data path attaches to a socket operation only posts to a stage's mailbox, so nothing blocks that
    /// thread, and each request saves two thread hops (tests/ActorMesh.Benchmarks/README.md, "Runtime settings").
    /// The runtime reads the variable once, at its first socket; a value already in the environment wins.
    /// </summary>
    public static void PreferInlineSocketCompletions()
    {
        if (Environment.GetEnvironmentVariable(InlineCompletions) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletions, "1");
        }
    }
}
