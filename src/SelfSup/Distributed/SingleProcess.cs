using static TorchSharp.torch;

namespace SelfSup.Distributed;

/// <summary>A group of one: rank 0 of 1, and every collective leaves its tensor as it is.</summary>
public sealed class SingleProcess : ProcessGroup
{
    public override int Rank => 0;
    public override int Size => 1;
    public override void AllReduceSum(Tensor tensor) { }
    public override void Broadcast(Tensor tensor, int root = 0) { }
    public override double Max(double value) => value;
    public override void Abort(string message, int exitCode) => throw new SelfSupError(message);
}
