namespace Modular.Abstractions.Transport;

/// <summary>A small type-keyed bag of optional connection capabilities (the shape of ASP.NET's IFeatureCollection).</summary>
public sealed class ConnectionFeatures
{
    private readonly Dictionary<Type, object> _features = new();

    public T? Get<T>() where T : class
    {
        lock (_features)
        {
            return _features.TryGetValue(typeof(T), out var value) ? (T)value : null;
        }
    }

    public void Set<T>(T feature) where T : class
    {
        lock (_features)
        {
            _features[typeof(T)] = feature;
        }
    }
}
