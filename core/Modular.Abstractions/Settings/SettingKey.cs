namespace Modular.Abstractions.Settings;

/// <summary>
/// One key a configuration table has, declared as data: its name, what it is written as, its
/// default as the configuration would write it (null: none, or required) and what it is for. The
/// core's tables and plugins' settings declare their keys with it; an unknown key is reported with
/// the nearest declared one ("did you mean").
/// </summary>
public sealed record SettingKey(string Name, SettingType Type, string? Default, string Description);
