using System.Text;
using SelfSup.IO;
using SelfSup.Tests.Losses;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SelfSup.Tests.IO;

public sealed class NpyFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "selfsup-npy-" + Guid.NewGuid().ToString("N"));

    public NpyFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void RoundTripKeepsDtypeShapeAndValues(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        foreach (var shape in new[] { new long[] { 5, 3, 7 }, new long[] { 11 }, new long[] { 2, 3 }, Array.Empty<long>() })
        {
            var t = randn(shape, dtype, generator: new Generator(42));
            var path = PathOf($"t_{dtype}_{shape.Length}.npy");
            NpyFile.Write(path, t);
            var back = NpyFile.Read(path);
            Assert.Equal(dtype, back.dtype);
            Assert.Equal(shape, back.shape);
            Assert.True(back.equal(t).all().item<bool>(), "values changed in the round trip");

            // the header is padded so that the data starts on a 64-byte boundary
            var bytes = File.ReadAllBytes(path);
            int headerLen = BitConverter.ToUInt16(bytes, 8);
            Assert.Equal(0, (10 + headerLen) % 64);
            Assert.Equal((byte)'\n', bytes[10 + headerLen - 1]);
        }
    }

    [Fact]
    public void WritesNonContiguousTensorsInCOrder()
    {
        using var scope = NewDisposeScope();
        var t = arange(12, float64).reshape(3, 4).t();
        var path = PathOf("transposed.npy");
        NpyFile.Write(path, t);
        Assert.True(NpyFile.Read(path).equal(t).all().item<bool>());
    }

    [Fact]
    public void ReadsTheReferenceInputs()
    {
        using var scope = NewDisposeScope();
        var z = NpyFile.Read(Path.Combine(RefsLocator.Dir, "rand_N32_M4_d8.npy"));
        Assert.Equal(ScalarType.Float32, z.dtype);
        Assert.Equal(new long[] { 32, 4, 8 }, z.shape);
        var g = NpyFile.Read(Path.Combine(RefsLocator.Dir, "grads", "rand_N32_M4_d8__bt__0.005.npy"));
        Assert.Equal(ScalarType.Float64, g.dtype);
        Assert.Equal(new long[] { 32, 4, 8 }, g.shape);
    }

    [Fact]
    public void ReadsVersion2Headers()
    {
        using var scope = NewDisposeScope();
        var path = PathOf("v2.npy");
        WriteRaw(path, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", BitConverter.GetBytes(1.5).Concat(BitConverter.GetBytes(-2.0)).Concat(BitConverter.GetBytes(3.0)).Concat(BitConverter.GetBytes(4.25)).ToArray(), major: 2);
        var t = NpyFile.Read(path);
        Assert.Equal(new long[] { 2, 2 }, t.shape);
        Assert.Equal(4.25, t[1, 1].item<double>());
    }

    [Fact]
    public void Int64FileIsRejectedWithTheFix()
    {
        var path = PathOf("ints.npy");
        WriteRaw(path, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", new byte[24]);
        var e = Assert.Throws<SelfSupError>(() => NpyFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("<i8", e.Message);
        Assert.Contains("astype", e.Message);
    }

    [Fact]
    public void BigEndianFileIsRejected()
    {
        var path = PathOf("big.npy");
        WriteRaw(path, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", new byte[8]);
        var e = Assert.Throws<SelfSupError>(() => NpyFile.Read(path));
        Assert.Contains(">f4", e.Message);
    }

    [Fact]
    public void FortranOrderIsRejected()
    {
        var path = PathOf("fortran.npy");
        WriteRaw(path, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new byte[16]);
        var e = Assert.Throws<SelfSupError>(() => NpyFile.Read(path));
        Assert.Contains("Fortran", e.Message);
        Assert.Contains("ascontiguousarray", e.Message);
    }

    [Fact]
    public void TruncatedDataIsRejected()
    {
        using var scope = NewDisposeScope();
        var path = PathOf("truncated.npy");
        NpyFile.Write(path, ones(new long[] { 4, 4 }, float32));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);
        var e = Assert.Throws<SelfSupError>(() => NpyFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void BadMagicIsRejected()
    {
        var path = PathOf("not-npy.npy");
        File.WriteAllText(path, "this is a text file, not numpy data");
        var e = Assert.Throws<SelfSupError>(() => NpyFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("magic", e.Message);
    }

    [Fact]
    public void MissingFileIsRejected()
    {
        var path = PathOf("absent.npy");
        var e = Assert.Throws<SelfSupError>(() => NpyFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void WritingAnIntegerTensorIsRejected()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<SelfSupError>(() => NpyFile.Write(PathOf("i.npy"), ones(3, int64)));
        Assert.Contains("float32", e.Message);
    }

    /// <summary>Writes a .npy file by hand: magic, version, header length, padded header, data.</summary>
    private static void WriteRaw(string path, string dict, byte[] data, int major = 1)
    {
        int preamble = major == 1 ? 10 : 12;
        int total = (preamble + dict.Length + 1 + 63) / 64 * 64;
        string header = dict.PadRight(total - preamble - 1) + "\n";
        using var w = new BinaryWriter(File.Create(path));
        w.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0 });
        if (major == 1) w.Write((ushort)header.Length); else w.Write((uint)header.Length);
        w.Write(Encoding.ASCII.GetBytes(header));
        w.Write(data);
    }
}
