using Akka.IO;

namespace ActorMesh.Http;

/// <summary>
/// Takes a message body off the wire incrementally. Data slices point into the input (no copy); bytes after the
/// body's end are left for the next message.
/// </summary>
internal sealed class BodyDecoder
{
    private enum ChunkState
    {
        Size,
        Extension,
        SizeLf,
        Data,
        DataCr,
        DataLf,
        TrailerLine,
        TrailerLf,
        Done,
    }

    // 15 hex digits keep a chunk size inside a long and far above any body we would stream.
    private const int MaxChunkSizeDigits = 15;
    private const int MaxTrailerBytes = 60 * 1024;

    private readonly BodyFraming _framing;
    private readonly Http1Limits _limits;
    private long _remaining;
    private ChunkState _state = ChunkState.Size;
    private int _sizeDigits;
    private int _extensionBytes;
    private int _lineBytes;
    private int _trailerBytes;
    private bool _trailerColon;

    public BodyDecoder(BodyFraming framing, long contentLength, Http1Limits limits)
    {
        _framing = framing;
        _remaining = contentLength;
        _limits = limits;
    }

    public bool IsComplete => _framing switch
    {
        BodyFraming.None => true,
        BodyFraming.ContentLength => _remaining == 0,
        BodyFraming.Chunked => _state == ChunkState.Done,
        _ => false,
    };

    /// <summary>
    /// Consumes what it can of <paramref name="input"/>, adding body data to <paramref name="data"/>; returns the
    /// number of bytes consumed, or -1 with <paramref name="error"/> set when the framing is invalid.
    /// </summary>
    public int Decode(ByteString input, List<ByteString> data, out string? error)
    {
        error = null;
        switch (_framing)
        {
            case BodyFraming.None:
                return 0;
            case BodyFraming.UntilClose:
                if (!input.IsEmpty)
                {
                    data.Add(input);
                }
                return input.Count;
            case BodyFraming.ContentLength:
                var take = (int)Math.Min(_remaining, input.Count);
                if (take > 0)
                {
                    data.Add(take == input.Count ? input : input.Slice(0, take));
                    _remaining -= take;
                }
                return take;
            default:
                return DecodeChunked(input, data, out error);
        }
    }

    private int DecodeChunked(ByteString input, List<ByteString> data, out string? error)
    {
        error = null;
        var span = input.ToReadOnlySpan();
        var i = 0;
        while (i < span.Length && _state != ChunkState.Done)
        {
            var b = span[i];
            switch (_state)
            {
                case ChunkState.Size:
                    if (IsHex(b))
                    {
                        if (++_sizeDigits > MaxChunkSizeDigits)
                        {
                            error = "chunk size too large";
                            return -1;
                        }
                        _remaining = (_remaining << 4) | HexValue(b);
                        i++;
                    }
                    else if (_sizeDigits == 0)
                    {
                        error = "invalid chunk size";
                        return -1;
                    }
                    else if (b == ';')
                    {
                        _state = ChunkState.Extension;
                        _extensionBytes = 0;
                        i++;
                    }
                    else if (b == '\r')
                    {
                        _state = ChunkState.SizeLf;
                        i++;
                    }
                    else
                    {
                        error = "invalid chunk size";
                        return -1;
                    }
                    break;
                case ChunkState.Extension:
                    if (b == '\r')
                    {
                        _state = ChunkState.SizeLf;
                    }
                    else if (b == '\n' || (b < 0x20 && b != '\t') || b == 0x7f)
                    {
                        error = "invalid chunk extension";
                        return -1;
                    }
                    else if (++_extensionBytes > _limits.MaxChunkExtensionBytes)
                    {
                        error = "chunk extension too long";
                        return -1;
                    }
                    i++;
                    break;
                case ChunkState.SizeLf:
                    if (b != '\n')
                    {
                        error = "bare CR in chunk line";
                        return -1;
                    }
                    i++;
                    _sizeDigits = 0;
                    if (_remaining == 0)
                    {
                        _state = ChunkState.TrailerLine;
                        _lineBytes = 0;
                    }
                    else
                    {
                        _state = ChunkState.Data;
                    }
                    break;
                case ChunkState.Data:
                    var take = (int)Math.Min(_remaining, span.Length - i);
                    data.Add(input.Slice(i, take));
                    _remaining -= take;
                    i += take;
                    if (_remaining == 0)
                    {
                        _state = ChunkState.DataCr;
                    }
                    break;
                case ChunkState.DataCr:
                    if (b != '\r')
                    {
                        error = "chunk data overruns its size";
                        return -1;
                    }
                    _state = ChunkState.DataLf;
                    i++;
                    break;
                case ChunkState.DataLf:
                    if (b != '\n')
                    {
                        error = "chunk data overruns its size";
                        return -1;
                    }
                    _state = ChunkState.Size;
                    i++;
                    break;
                case ChunkState.TrailerLine:
                    // Trailers are checked as strictly as header fields, then dropped: they never frame or route
                    // anything.
                    if (b == '\r')
                    {
                        if (_lineBytes > 0 && !_trailerColon)
                        {
                            error = "trailer field without a colon";
                            return -1;
                        }
                        _state = ChunkState.TrailerLf;
                    }
                    else if (!ValidTrailerByte(b) || ++_trailerBytes > MaxTrailerBytes)
                    {
                        error = "invalid trailer section";
                        return -1;
                    }
                    else
                    {
                        _lineBytes++;
                    }
                    i++;
                    break;
                case ChunkState.TrailerLf:
                    if (b != '\n')
                    {
                        error = "bare CR in trailer section";
                        return -1;
                    }
                    i++;
                    if (_lineBytes == 0)
                    {
                        _state = ChunkState.Done;
                    }
                    else
                    {
                        _lineBytes = 0;
                        _trailerColon = false;
                        _state = ChunkState.TrailerLine;
                    }
                    break;
            }
        }
        return i;
    }

    /// <summary>
    /// One byte of a trailer field line: a token name (no leading whitespace, so no obs-fold), a colon, then a value
    /// without control characters. Bare LF fails here too.
    /// </summary>
    private bool ValidTrailerByte(byte b)
    {
        if (_trailerColon)
        {
            return b >= 0x20 ? b != 0x7f : b == '\t';
        }
        if (b == ':')
        {
            _trailerColon = true;
            return _lineBytes > 0;
        }
        return Http1HeadParser.IsTokenChar(b);
    }

    private static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static long HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
