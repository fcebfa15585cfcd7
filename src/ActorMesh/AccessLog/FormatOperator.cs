using System.Text;
using ActorMesh.Http;

namespace ActorMesh.AccessLog;

/// <summary>
/// One compiled piece of a format string: literal text or a command operator (<c>%RESPONSE_CODE%</c>). Compiled once
/// at load; <see cref="Append"/> runs once per logged request and must not allocate beyond the output it appends.
/// </summary>
internal abstract class FormatOperator
{
    /// <summary>Appends the value; false when it is unspecified (nothing appended), which the formatter prints as <c>-</c>.</summary>
    public abstract bool Append(StreamInfo info, StringBuilder output);

    /// <summary>Whether Envoy types the value as a number in <c>json_format</c> (see <see cref="Number"/>).</summary>
    public virtual bool IsNumeric => false;

    /// <summary>The value as a JSON number; null when unspecified. Only meaningful when <see cref="IsNumeric"/>.</summary>
    public virtual long? Number(StreamInfo info) => null;
}

/// <summary>Literal text between command operators.</summary>
internal sealed class LiteralText(string text) : FormatOperator
{
    public string Text { get; } = text;

    public override bool Append(StreamInfo info, StringBuilder output)
    {
        output.Append(Text);
        return true;
    }
}
