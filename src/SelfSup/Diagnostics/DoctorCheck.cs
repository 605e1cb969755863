namespace SelfSup.Diagnostics;

/// <summary>One check of <see cref="DeviceDoctor"/>: its name, whether it passed, what it measured, and its seconds.</summary>
public sealed record DoctorCheck(string Name, bool Ok, string Detail, double Seconds);
