using Modular.Abstractions.Settings;
using System.Globalization;

namespace Modular.Core.Config;

/// <summary>Typed readers: each checks the TOML type and the range, and reports an error on the node when it fails.</summary>
internal sealed partial class ConfigBinder
{
    private const string SizeExpectation = "expected a size like 1048576 or \"1MB\"";
    private const string DurationExpectation = "expected a duration like \"30s\", \"2m\" or \"1h30m\"";

    private bool TryString(ConfigNode node, out string value)
    {
        if (node is ConfigScalar { Value: string s })
        {
            value = s;
            return true;
        }

        value = "";
        Error(node, $"expected a string, got {node.Describe()}");
        return false;
    }

    private bool TryNonEmptyString(ConfigNode node, out string value)
    {
        if (!TryString(node, out value))
        {
            return false;
        }

        if (value.Trim().Length == 0)
        {
            Error(node, "must not be empty");
            return false;
        }

        return true;
    }

    /// <summary>A name NATS shows in INFO and monitoring: non-empty, no spaces.</summary>
    private bool TryName(ConfigNode node, out string value)
    {
        if (!TryNonEmptyString(node, out value))
        {
            return false;
        }

        if (value.Any(char.IsWhiteSpace))
        {
            Error(node, $"must not contain spaces, got {node.Describe()}");
            return false;
        }

        return true;
    }

    private bool TryBool(ConfigNode node, out bool value)
    {
        if (node is ConfigScalar { Value: bool b })
        {
            value = b;
            return true;
        }

        value = false;
        Error(node, $"expected true or false, got {node.Describe()}");
        return false;
    }

    private bool TryInt(ConfigNode node, long min, long max, out int value)
    {
        value = 0;
        if (node is not ConfigScalar { Value: long number })
        {
            Error(node, $"expected an integer, got {node.Describe()}");
            return false;
        }

        if (!CheckRange(node, number, min, max, n => n.ToString(CultureInfo.InvariantCulture)))
        {
            return false;
        }

        value = (int)number;
        return true;
    }

    /// <summary>A size: an integer number of bytes or a string like "1MB" (see <see cref="SizeParser"/>).</summary>
    private bool TrySize(ConfigNode node, long min, long max, out long value)
    {
        value = 0;
        long bytes;
        switch (node)
        {
            case ConfigScalar { Value: long number }:
                if (number < 0)
                {
                    Error(node, $"must not be negative, got {node.Describe()}");
                    return false;
                }

                bytes = number;
                break;
            case ConfigScalar { Value: string text } when text.TrimStart().StartsWith('-') && SizeParser.TryParse(text.TrimStart()[1..], out _):
                Error(node, $"must not be negative, got {node.Describe()}");
                return false;
            case ConfigScalar { Value: string text } when SizeParser.TryParse(text, out var parsed):
                bytes = parsed;
                break;
            default:
                Error(node, $"{SizeExpectation}, got {node.Describe()}");
                return false;
        }

        if (!CheckRange(node, bytes, min, max, FormatSize))
        {
            return false;
        }

        value = bytes;
        return true;
    }

    /// <summary>
    /// A duration: a string like "30s" or "1h30m" (see <see cref="DurationParser"/>), or a number of
    /// seconds (integer, or float as nats-server's auth_timeout = 0.5).
    /// </summary>
    private bool TryDuration(ConfigNode node, bool allowZero, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        TimeSpan parsed;
        switch (node)
        {
            case ConfigScalar { Value: long seconds }:
                if (seconds < 0)
                {
                    Error(node, $"must not be negative, got {node.Describe()}");
                    return false;
                }

                if (seconds > (long)TimeSpan.MaxValue.TotalSeconds)
                {
                    Error(node, $"is too long, got {node.Describe()}");
                    return false;
                }

                parsed = TimeSpan.FromSeconds(seconds);
                break;
            case ConfigScalar { Value: double seconds } when double.IsFinite(seconds):
                if (seconds < 0)
                {
                    Error(node, $"must not be negative, got {node.Describe()}");
                    return false;
                }

                if (seconds > TimeSpan.MaxValue.TotalSeconds / 2)
                {
                    Error(node, $"is too long, got {node.Describe()}");
                    return false;
                }

                parsed = TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
                break;
            case ConfigScalar { Value: string text } when text.TrimStart().StartsWith('-') && DurationParser.TryParse(text.TrimStart()[1..], out _):
                Error(node, $"must not be negative, got {node.Describe()}");
                return false;
            case ConfigScalar { Value: string text } when DurationParser.TryParse(text, out var fromText):
                parsed = fromText;
                break;
            default:
                Error(node, $"{DurationExpectation}, got {node.Describe()}");
                return false;
        }

        if (!allowZero && parsed == TimeSpan.Zero)
        {
            Error(node, $"must be longer than zero, got {node.Describe()}");
            return false;
        }

        value = parsed;
        return true;
    }

    /// <summary>A listen address "host:port" (the port is required; 0 picks a free one).</summary>
    private bool TryListen(ConfigNode node, out string host, out int port)
    {
        host = "";
        port = 0;
        if (!TryString(node, out var text))
        {
            return false;
        }

        if (!HostPortParser.TryParse(text, defaultPort: null, out host, out port, out var error))
        {
            Error(node, $"expected host:port like \"0.0.0.0:4222\", got {node.Describe()}: {error}");
            return false;
        }

        return true;
    }

    /// <summary>One of <paramref name="allowed"/> (case-insensitive), returned in lower case.</summary>
    private bool TryChoice(ConfigNode node, IReadOnlyList<string> allowed, out string value)
    {
        value = "";
        if (!TryString(node, out var text))
        {
            return false;
        }

        var lower = text.Trim().ToLowerInvariant();
        if (!allowed.Contains(lower))
        {
            Error(node, $"expected one of {string.Join(", ", allowed)}, got {node.Describe()}");
            return false;
        }

        value = lower;
        return true;
    }

    private bool CheckRange(ConfigNode node, long number, long min, long max, Func<long, string> format)
    {
        if (number >= min && number <= max)
        {
            return true;
        }

        if (number < min)
        {
            Error(node, min == 0 ? $"must not be negative, got {node.Describe()}" : $"must be at least {format(min)}, got {node.Describe()}");
        }
        else
        {
            Error(node, $"must be at most {format(max)}, got {node.Describe()}");
        }

        return false;
    }

    /// <summary>"64MB" for an exact binary multiple, else the number of bytes.</summary>
    internal static string FormatSize(long bytes)
    {
        string[] units = ["TB", "GB", "MB", "KB"];
        int[] shifts = [40, 30, 20, 10];
        for (var i = 0; i < units.Length; i++)
        {
            var unit = 1L << shifts[i];
            if (bytes >= unit && bytes % unit == 0)
            {
                return (bytes / unit).ToString(CultureInfo.InvariantCulture) + units[i];
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}
