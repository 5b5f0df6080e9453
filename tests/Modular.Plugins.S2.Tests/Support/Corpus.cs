using System.Text;

namespace Modular.Plugins.S2.Tests.Support;

/// <summary>Deterministic payloads: route traffic with JSON bodies (compressible) and random bytes.</summary>
public static class Corpus
{
    public static byte[] JsonRoute(int approximateBytes, int seed = 7)
    {
        var random = new Random(seed);
        var text = new StringBuilder(approximateBytes + 256);
        string[] statuses = ["accepted", "shipped", "pending", "cancelled", "delivered"];
        string[] regions = ["eu", "us", "ap"];
        var i = 0;
        while (text.Length < approximateBytes)
        {
            var body = $"{{\"order\":{i},\"customer\":\"cust-{random.Next(5000):D5}\",\"sku\":\"SKU-{random.Next(1000):D5}\",\"qty\":{random.Next(1, 20)},\"price\":{random.Next(100, 99999) / 100.0:F2},\"status\":\"{statuses[random.Next(statuses.Length)]}\",\"ts\":\"2024-05-{random.Next(1, 29):D2}T{random.Next(24):D2}:{random.Next(60):D2}:{random.Next(60):D2}Z\"}}";
            text.Append("RMSG $G orders.").Append(regions[random.Next(3)]).Append('.').Append(i % 97)
                .Append(" _INBOX.").Append(random.Next(100000)).Append(' ').Append(Encoding.ASCII.GetByteCount(body)).Append("\r\n")
                .Append(body).Append("\r\n");
            i++;
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    public static byte[] Random(int length, int seed = 11)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Inputs that exercise the encoder's corners: tiny, runs, short periods, long repeats, mixes.</summary>
    public static IEnumerable<(string Name, byte[] Data)> Shapes()
    {
        yield return ("empty", []);
        yield return ("one", [42]);
        yield return ("sixteen", Encoding.ASCII.GetBytes("0123456789abcdef"));
        yield return ("seventeen", Encoding.ASCII.GetBytes("0123456789abcdefg"));
        yield return ("zeros-3M", new byte[3 << 20]);
        yield return ("period-2", Enumerable.Range(0, 100_000).Select(i => (byte)(i % 2)).ToArray());
        yield return ("period-7", Enumerable.Range(0, 70_001).Select(i => (byte)(i % 7 * 13)).ToArray());
        var far = Random(300_000, 5);
        var farRepeat = far.Concat(far).Concat(far[..1000]).ToArray(); // offsets over 64 KiB: copy4
        yield return ("far-repeat", farRepeat);
        yield return ("json-1200k", JsonRoute(1_200_000));
        yield return ("random-70k", Random(70_000));
        var mixed = new byte[2_500_000];
        var rng = new Random(3);
        for (var i = 0; i < mixed.Length;)
        {
            var run = rng.Next(1, 5000);
            if (rng.Next(2) == 0)
            {
                rng.NextBytes(mixed.AsSpan(i, Math.Min(run, mixed.Length - i)));
            }
            else if (i > 70_000)
            {
                var from = rng.Next(0, i - run > 0 ? i - run : 1);
                for (var j = 0; j < run && i + j < mixed.Length; j++)
                {
                    mixed[i + j] = mixed[from + j];
                }
            }

            i += run;
        }

        yield return ("mixed-2500k", mixed);
    }
}
