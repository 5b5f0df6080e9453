using System.Text;

namespace Modular.Core.Monitoring;

/// <summary>
/// Parses an HTTP/1.x request head (request line and headers, without the final blank line) for the
/// monitoring listener. Strict where it matters for safety, lenient about line ends ("\n" alone is
/// accepted). Never throws: a malformed head yields a status code and a reason.
/// </summary>
internal static class HttpRequestParser
{
    /// <summary>Finds the end of the head: the index just past "\r\n\r\n" (or "\n\n"), or -1.</summary>
    public static int FindHeadEnd(ReadOnlySpan<byte> buffer)
    {
        for (int i = 0; i < buffer.Length; i++)
        {
            if (buffer[i] != (byte)'\n')
            {
                continue;
            }

            if (i + 1 < buffer.Length && buffer[i + 1] == (byte)'\n')
            {
                return i + 2;
            }

            if (i + 2 < buffer.Length && buffer[i + 1] == (byte)'\r' && buffer[i + 2] == (byte)'\n')
            {
                return i + 3;
            }
        }

        return -1;
    }

    /// <summary>
    /// True when <paramref name="bytes"/> holds a byte that has no place in a request head: anything
    /// outside ASCII (no encoding is guessed) and control characters other than CR, LF and TAB.
    /// </summary>
    public static bool ContainsInvalidHeadByte(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (b >= 0x7F || (b < 0x20 && b != (byte)'\r' && b != (byte)'\n' && b != (byte)'\t'))
            {
                return true;
            }
        }

        return false;
    }

    public static bool TryParse(ReadOnlySpan<byte> head, out HttpRequestHead request, out int errorStatus, out string error)
    {
        request = null!;
        errorStatus = 400;
        error = "Bad Request";

        if (ContainsInvalidHeadByte(head))
        {
            error = "invalid character in request";
            return false;
        }

        string text = Encoding.ASCII.GetString(head);
        string[] lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        if (lines.Length == 0 || lines[0].Length == 0)
        {
            error = "empty request line";
            return false;
        }

        string[] parts = lines[0].Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            error = "malformed request line";
            return false;
        }

        string method = parts[0];
        if (!method.All(IsTokenChar))
        {
            error = "malformed method";
            return false;
        }

        string version = parts[2];
        if (version is not ("HTTP/1.1" or "HTTP/1.0"))
        {
            if (version.StartsWith("HTTP/", StringComparison.Ordinal))
            {
                errorStatus = 505;
                error = "HTTP Version Not Supported";
            }
            else
            {
                error = "malformed HTTP version";
            }

            return false;
        }

        if (!TrySplitTarget(parts[1], out string path, out string query))
        {
            error = "malformed request target";
            return false;
        }

        string? host = null;
        long contentLength = 0;
        bool chunked = false;
        bool sawLength = false;
        for (int i = 1; i < lines.Length; i++)
        {
            string line = lines[i];
            int colon = line.IndexOf(':');
            if (colon <= 0 || line[0] is ' ' or '\t' || !line.AsSpan(0, colon).ToString().All(IsTokenChar))
            {
                error = "malformed header";
                return false;
            }

            string name = line[..colon];
            string value = line[(colon + 1)..].Trim(' ', '\t');
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                if (host is not null)
                {
                    error = "too many Host headers";
                    return false;
                }

                host = value;
            }
            else if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (sawLength || value.Length == 0 || !value.All(char.IsAsciiDigit) || !long.TryParse(value, out contentLength))
                {
                    error = "bad Content-Length";
                    return false;
                }

                sawLength = true;
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                chunked = true;
            }
        }

        if (version == "HTTP/1.1" && host is null)
        {
            error = "missing required Host header";
            return false;
        }

        request = new HttpRequestHead(method, path, query, version, host, contentLength, chunked);
        return true;
    }

    /// <summary>Splits an origin-form ("/p?q") or absolute-form ("http://h/p?q") target and decodes the path.</summary>
    private static bool TrySplitTarget(string target, out string path, out string query)
    {
        path = "";
        query = "";
        string rest = target;
        if (!rest.StartsWith('/'))
        {
            int scheme = rest.IndexOf("://", StringComparison.Ordinal);
            if (scheme <= 0 || !rest[..scheme].All(char.IsAsciiLetter))
            {
                return false;
            }

            int slash = rest.IndexOfAny(['/', '?'], scheme + 3);
            rest = slash < 0 ? "/" : rest[slash..];
            if (!rest.StartsWith('/'))
            {
                rest = "/" + rest;
            }
        }

        int q = rest.IndexOf('?');
        string rawPath = q < 0 ? rest : rest[..q];
        query = q < 0 ? "" : rest[(q + 1)..];
        int fragment = query.IndexOf('#');
        if (fragment >= 0)
        {
            query = query[..fragment];
        }

        int pathFragment = rawPath.IndexOf('#');
        if (pathFragment >= 0)
        {
            rawPath = rawPath[..pathFragment];
        }

        if (!QueryString.TryUnescape(rawPath, plusIsSpace: false, out string? decoded) || decoded.Contains('\0'))
        {
            return false;
        }

        path = decoded;
        return true;
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}
