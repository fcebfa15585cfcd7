using System.Runtime.InteropServices;

namespace ActorMesh.Cmd;

/// <summary>
/// SIGINT (Ctrl-C) for the whole client: the first while a command runs cancels it (the host ends it and the client goes
/// on); a second one, or one while no command runs (a script waiting on its input), quits with 130. The prompt's line
/// editor reads Ctrl-C as a key instead, so it never gets here while a line is edited.
/// </summary>
internal sealed class Interrupts : IDisposable
{
    /// <summary>128 + SIGINT, as a shell reports it.</summary>
    public const int InterruptedStatus = 130;

    private readonly PosixSignalRegistration _registration;
    private CancellationTokenSource? _command;
    private int _count;

    public Interrupts() => _registration = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnInterrupt);

    /// <summary>A command starts: the token the next Ctrl-C cancels.</summary>
    public CancellationToken CommandStarted()
    {
        var command = new CancellationTokenSource();
        Volatile.Write(ref _count, 0);
        Volatile.Write(ref _command, command);
        return command.Token;
    }

    public void CommandEnded() => Interlocked.Exchange(ref _command, null)?.Dispose();

    public void Dispose()
    {
        _registration.Dispose();
        CommandEnded();
    }

    private void OnInterrupt(PosixSignalContext context)
    {
        context.Cancel = true;
        var command = Volatile.Read(ref _command);
        if (command is null || Interlocked.Increment(ref _count) > 1)
        {
            Environment.Exit(InterruptedStatus);
        }
        try
        {
            command.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The command ended between the read above and now: nothing is left to cancel.
        }
    }
}
