namespace Modular.Abstractions.Settings;

/// <summary>What a setting's value is written as (for key tables, messages and <c>modular plugins</c>).</summary>
public enum SettingType
{
    String,
    Integer,
    Boolean,
    /// <summary>The duration grammar of <see cref="DurationParser"/> (or a number of seconds).</summary>
    Duration,
    /// <summary>The size grammar of <see cref="SizeParser"/> (or a number of bytes).</summary>
    Size,
    /// <summary>One of a fixed set of words.</summary>
    Choice,
    /// <summary>host:port.</summary>
    Address,
    List,
    Table,
}
