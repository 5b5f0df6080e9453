namespace Modular.Core.Server;

/// <summary>
/// A seam a running server cannot swap (<see cref="NatsServer.SeamsThatCannotReload"/>), named by its
/// <see cref="ServerSeams"/> property, with the part that is fixed when the rest may change. Whoever
/// filled the seam says it in its own words (the plugin composition names the table).
/// </summary>
/// <param name="ServerSeam">The <see cref="ServerSeams"/> property, e.g. "Discovery".</param>
/// <param name="Part">What of it cannot change, when not the whole seam.</param>
public sealed record FixedSeam(string ServerSeam, string? Part = null);
