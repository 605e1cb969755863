namespace SelfSup.Tests.Fuzz;

/// <summary>
/// A header or size field of a binary format that the <see cref="Mutator"/> may overwrite with hostile
/// values: <paramref name="Width"/> bytes at <paramref name="Offset"/>, either a binary integer (1, 2, 4 or 8 bytes,
/// in the format's byte order) or, with <paramref name="Octal"/>, a tar-style field of ASCII octal digits (with
/// the base-256 form for values too large for the digits).
/// </summary>
public sealed record FuzzField(string Name, int Offset, int Width, bool BigEndian = false, bool Octal = false);
