using Modular.Fuzz.Targets;
using SharpFuzz;

namespace Modular.Fuzz;

/// <summary>
/// <c>Modular.Fuzz TARGET</c>: runs one fuzz target on stdin — once per execution under afl-fuzz,
/// or once when started by hand (which is how a saved crash is replayed). A target returns
/// normally on input the project rejects with its documented errors; any other exception (or a
/// hang) is a finding.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length != 1 || FuzzTargets.Find(args[0]) is not { } create)
        {
            Console.Error.WriteLine($"usage: Modular.Fuzz TARGET < input   (targets: {string.Join(", ", FuzzTargets.Names)})");
            return 2;
        }

        IFuzzTarget? target = null;
        Fuzzer.Run(stream => (target ??= create()).Run(ReadAll(stream)));
        return 0;
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
