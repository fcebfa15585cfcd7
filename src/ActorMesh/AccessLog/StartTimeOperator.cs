using System.Text;
using ActorMesh.Http;

namespace ActorMesh.AccessLog;

/// <summary><c>%START_TIME%</c> and <c>%START_TIME(pattern)%</c>.</summary>
internal sealed class StartTimeOperator(StartTimeFormat format) : FormatOperator
{
    public override bool Append(StreamInfo info, StringBuilder output)
    {
        format.Append(info.StartTime, output);
        return true;
    }
}
