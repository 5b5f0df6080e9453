namespace Modular.Core.Routes.Identity;

/// <summary>
/// The cluster's name: configured (static), or generated (dynamic) until a peer's name is
/// adopted. Dynamic servers converge on one name and a static name always wins. Its lock is a
/// leaf: nothing is called while it is held.
/// </summary>
public sealed class ClusterIdentity
{
    private readonly Lock _lock = new();
    private string _name;
    private bool _dynamic;

    public ClusterIdentity(string? configuredName)
    {
        _dynamic = string.IsNullOrEmpty(configuredName);
        _name = _dynamic ? NewName() : configuredName!;
    }

    public string Name
    {
        get
        {
            lock (_lock)
            {
                return _name;
            }
        }
    }

    public bool IsDynamic
    {
        get
        {
            lock (_lock)
            {
                return _dynamic;
            }
        }
    }

    /// <summary>Name and dynamic flag read together (for an INFO).</summary>
    public (string Name, bool Dynamic) Current
    {
        get
        {
            lock (_lock)
            {
                return (_name, _dynamic);
            }
        }
    }

    /// <summary>Whether <paramref name="theirs"/> is compatible with ours, and whether ours changed to it.</summary>
    public enum Adoption
    {
        /// <summary>The names stay in conflict.</summary>
        Conflict,

        /// <summary>The names were already the same.</summary>
        Same,

        /// <summary>Ours was dynamic and now is theirs: other routes must reconnect under it.</summary>
        Adopted,
    }

    /// <summary>
    /// Adopts a peer's cluster name when ours is dynamic and (theirs is static, or ours sorts first).
    /// </summary>
    public Adoption TryAdopt(string? theirs, bool theirsDynamic)
    {
        if (string.IsNullOrEmpty(theirs))
        {
            return Adoption.Conflict;
        }

        lock (_lock)
        {
            if (theirs == _name)
            {
                return Adoption.Same;
            }

            if (!_dynamic || (theirsDynamic && string.CompareOrdinal(_name, theirs) >= 0))
            {
                return Adoption.Conflict;
            }

            _name = theirs;
            _dynamic = theirsDynamic;
            return Adoption.Adopted;
        }
    }

    private static string NewName()
    {
        // A public name, not a secret: Random.Shared, so start-up does not load libcrypto (see ServerIdentity).
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        Span<char> name = stackalloc char[22];
        for (var i = 0; i < name.Length; i++)
        {
            name[i] = alphabet[Random.Shared.Next(alphabet.Length)];
        }

        return new string(name);
    }
}
