namespace Modular.Monitoring;

/// <summary>The process's CPU use (percent of one core) and resident memory (bytes) at one moment.</summary>
public readonly record struct ProcessUsageSample(double CpuPercent, long MemoryBytes);
