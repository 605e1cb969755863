using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace SelfSup.Interop;

/// <summary>
/// Accumulates an ONNX inference graph with OnnxSharp's protobuf classes (<see cref="GraphProto"/>, <see cref="NodeProto"/>,
/// <see cref="TensorProto"/>): weights become float32 initializers, each call adds one standard operator (opset
/// <see cref="Opset"/>) and returns the name of its output. <see cref="Model"/> wraps the graph with its declared inputs
/// and outputs, whose first axis is the dynamic <c>batch</c>.
/// </summary>
public sealed class OnnxGraphBuilder
{
    /// <summary>The default-domain opset the graph uses (Conv, Relu, Add, MaxPool, GlobalAveragePool, Flatten, Gemm).</summary>
    public const int Opset = 13;

    private readonly GraphProto graph = new() { Name = "selfsup" };
    private readonly HashSet<string> names = new(StringComparer.Ordinal);

    /// <summary>A float32 initializer named <paramref name="name"/> holding a copy of <paramref name="value"/> (any dtype, any device).</summary>
    public string Initializer(string name, Tensor value)
    {
        using var data = value.detach().to(ScalarType.Float32).cpu().contiguous();
        var proto = new TensorProto { Name = Unique(name), DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(data.shape);
        proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.data<float>().ToArray().AsSpan()));
        graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>2-D convolution with bias, square kernel, symmetric padding.</summary>
    public string Conv(string name, string x, string weight, string bias, long stride, long padding)
    {
        var node = Node("Conv", name, x, weight, bias);
        node.Attribute.Add(Ints("strides", stride, stride));
        node.Attribute.Add(Ints("pads", padding, padding, padding, padding));
        return node.Output[0];
    }

    public string Relu(string name, string x) => Node("Relu", name, x).Output[0];

    public string Add(string name, string a, string b) => Node("Add", name, a, b).Output[0];

    /// <summary>Square max-pooling with symmetric padding (padding never counts as a maximum, as in PyTorch).</summary>
    public string MaxPool(string name, string x, long kernel, long stride, long padding)
    {
        var node = Node("MaxPool", name, x);
        node.Attribute.Add(Ints("kernel_shape", kernel, kernel));
        node.Attribute.Add(Ints("strides", stride, stride));
        node.Attribute.Add(Ints("pads", padding, padding, padding, padding));
        return node.Output[0];
    }

    /// <summary>Mean over H×W, B×C×H×W → B×C (GlobalAveragePool, then Flatten from axis 1).</summary>
    public string GlobalAveragePool(string name, string x)
    {
        string pooled = Node("GlobalAveragePool", name, x).Output[0];
        var flatten = Node("Flatten", name + ".flatten", pooled);
        flatten.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        return flatten.Output[0];
    }

    /// <summary>y = x Wᵀ + b for x B×in, W out×in (PyTorch's Linear layout: Gemm with transB = 1).</summary>
    public string Linear(string name, string x, string weight, string bias)
    {
        var node = Node("Gemm", name, x, weight, bias);
        node.Attribute.Add(new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        return node.Output[0];
    }

    /// <summary>Gives the value <paramref name="value"/> the graph output name <paramref name="output"/> (an Identity node).</summary>
    public string Output(string output, string value) => Node("Identity", output, value).Output[0];

    /// <summary>
    /// The model: float32 input <paramref name="input"/> of shape batch × <paramref name="inputShape"/> and outputs named
    /// in <paramref name="outputs"/> with batch × their size; <c>batch</c> is symbolic, so any batch size runs.
    /// </summary>
    public ModelProto Model(string input, long[] inputShape, IEnumerable<(string Name, long Size)> outputs, string docString)
    {
        graph.Input.Add(ValueInfo(input, inputShape));
        foreach (var (name, size) in outputs) graph.Output.Add(ValueInfo(name, [size]));
        var model = new ModelProto { IrVersion = 7, ProducerName = "SelfSup", Graph = graph, DocString = docString };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model;
    }

    private NodeProto Node(string op, string name, params string[] inputs)
    {
        var node = new NodeProto { OpType = op, Name = Unique(name) };
        node.Input.AddRange(inputs);
        node.Output.Add(node.Name);
        graph.Node.Add(node);
        return node;
    }

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static ValueInfoProto ValueInfo(string name, long[] shapeAfterBatch)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        foreach (long d in shapeAfterBatch) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        var type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } };
        return new ValueInfoProto { Name = name, Type = type };
    }

    /// <summary>Value and node names must be unique in a graph: a repeated name gets a numeric suffix.</summary>
    private string Unique(string name)
    {
        string candidate = name;
        for (int i = 1; !names.Add(candidate); i++) candidate = $"{name}_{i}";
        return candidate;
    }
}
