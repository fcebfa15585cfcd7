using Akka.Actor;

namespace ActorMesh.Commands;

/// <summary>
/// Runs one <see cref="CommandTask"/>: its status ends the command; an exception is the command's error (status 1).
/// Stopping the actor (a cancel, a closed connection) cancels the task's token.
/// </summary>
public sealed class TaskCommandActor : ReceiveActor
{
    private readonly CancellationTokenSource _cancellation = new();

    public TaskCommandActor(CommandTask task, CommandRequest request, CommandOutput output)
    {
        Receive<Completed>(c => output.End(c.Status));
        Receive<Status.Failure>(f =>
        {
            var cause = f.Cause is AggregateException { InnerException: { } inner } ? inner : f.Cause;
            output.Error(cause is AskTimeoutException ? "no answer in time: " + cause.Message : cause.Message);
            output.End(1);
        });
        RunAsync(task, request, output, _cancellation.Token).PipeTo(Self);
    }

    public static Props Props(CommandTask task, CommandRequest request, CommandOutput output) =>
        Akka.Actor.Props.Create(() => new TaskCommandActor(task, request, output));

    // Not disposed: the task may still register on the token after the actor is gone.
    protected override void PostStop() => _cancellation.Cancel();

    private static async Task<Completed> RunAsync(CommandTask task, CommandRequest request, CommandOutput output, CancellationToken cancellation) =>
        new(await task(request, output, cancellation));

    private sealed record Completed(int Status);
}
