namespace SymbolicDiff.Generator.Model;

/// <summary>What kind of value a node of a tensor method holds.</summary>
internal enum ValueKind
{
    /// <summary>A floating-point scalar of the method's element type.</summary>
    Scalar,
    /// <summary>A <c>Vec&lt;T&gt;</c>.</summary>
    Vector,
    /// <summary>A <c>Mat&lt;T&gt;</c>: a parameter, or a <see cref="TensorOp.MatMul"/> product kept in the workspace.</summary>
    Matrix,
    /// <summary>An <c>int</c> (labels and row indices; never differentiated).</summary>
    Index,
    /// <summary>A <c>ReadOnlySpan&lt;int&gt;</c> or <c>int[]</c> parameter: a batch's labels or its windows' word indices.</summary>
    Indices,
}

/// <summary>
/// What a node of a tensor method computes. Tensor ops are the <c>SymbolicDiff.Tensors.Tensor</c> functions; an
/// element-wise op, <see cref="Softmax"/>, <see cref="LogSoftmax"/>, <see cref="Sum"/> and <see cref="CrossEntropy"/>
/// also apply to a matrix (one example per row: row-wise softmax, the batch's summed loss), told apart by the kinds.
/// </summary>
internal enum TensorOp
{
    Parameter,
    Constant,
    Add,
    Subtract,
    Multiply,
    Divide,
    Negate,
    MatVec,
    VectorAdd,
    VectorSubtract,
    Hadamard,
    Scale,
    Dot,
    Sum,
    Tanh,
    Sigmoid,
    ReLU,
    HardTanh,
    Exp,
    Log,
    Softmax,
    LogSoftmax,
    CrossEntropy,
    SquaredNorm,
    Row,
    Concat,
    Element,
    /// <summary>Wᵀd (<c>Tensor.MatTransposeVec</c>).</summary>
    MatTransposeVec,
    /// <summary>A·B (<c>Tensor.MatMul</c>).</summary>
    MatMul,
    /// <summary>σ(s) of a scalar.</summary>
    ScalarSigmoid,
    /// <summary>Logistic loss of a scalar score against a 0/1 label.</summary>
    LogisticLoss,
    /// <summary>max(0, 1 − s + s_c).</summary>
    Hinge,
    /// <summary>
    /// <c>Tensor.Map(v, f)</c>: a scalar function of the operation table (<see cref="TensorNode.Function"/>) applied
    /// element-wise; its derivative is the table entry's rule, written per element.
    /// </summary>
    Map,
    /// <summary>A·Bᵀ (<c>Tensor.MatMulTransposeB</c>): a layer X·Wᵀ over a batch.</summary>
    MatMulTransposeB,
    /// <summary>M + 1·vᵀ (<c>Tensor.AddRowVector</c>): a bias broadcast over the batch's rows.</summary>
    AddRowVector,
    /// <summary>The summed cross-entropy of a batch divided by its rows.</summary>
    MeanCrossEntropy,
    /// <summary>A batch of embedding windows (<c>Tensor.Windows(E, ids, width)</c>).</summary>
    Windows,
    /// <summary>
    /// The tangent of an element-wise operation (second order): args (x, y, ẋ) with y = f(x), f being
    /// <see cref="TensorNode.Function"/>; each element is f's table rule with A = xᵢ, R = yᵢ, D = ẋᵢ (a scalar when they are).
    /// </summary>
    Rule,
    /// <summary>Σ_r M[r, labels[r]] (second order of a batch's cross-entropy): args (matrix, labels).</summary>
    PickRows,
    /// <summary>A matrix's row count, an int (a batch's size, for the mean cross-entropy's tangent).</summary>
    RowCount,
    /// <summary>v + s·1: a scalar added to every element (the tangent of LogSoftmax): args (vector, scalar).</summary>
    AddScalar,
    /// <summary>The hinge's slope, 1 while 1 − s + s_c &gt; 0, else 0 (piecewise constant): args (s, s_c).</summary>
    HingeSlope,
    /// <summary>Zeros of the shape of its operand (a tangent that is structurally zero where an operation needs a value).</summary>
    Zeros,
    /// <summary>The dot product of each row of two matrices, a vector: args (A, B).</summary>
    RowDots,
    /// <summary>Row r of A times c_r: args (matrix A, vector c).</summary>
    ScaleRows,
    /// <summary>c_r added to every element of row r of A: args (matrix A, vector c).</summary>
    AddToRows,
}

/// <summary>One value of a tensor method, in SSA form and evaluation order.</summary>
/// <param name="Id">Index in <see cref="TensorMethod.Nodes"/>.</param>
/// <param name="Op">What it computes.</param>
/// <param name="Kind">Scalar, vector, matrix or index.</param>
/// <param name="Args">Operand node ids.</param>
/// <param name="Constant">The value of a constant.</param>
/// <param name="Name">The user's parameter or local it was assigned to, if any.</param>
/// <param name="Statement">Index of the source statement (for comments).</param>
/// <param name="Function">For <see cref="TensorOp.Map"/>: the scalar operation applied to each element; for <see cref="TensorOp.Rule"/>: the operation whose rule it is.</param>
internal sealed record TensorNode(int Id, TensorOp Op, ValueKind Kind, EquatableArray<int> Args, double Constant, string? Name, int Statement, Op? Function = null)
{
    /// <summary>The operation of the table an element-wise tensor operation applies (per element of a vector or matrix, or to a scalar).</summary>
    public Op? ElementWise => Op switch
    {
        TensorOp.Tanh => Model.Op.Tanh,
        TensorOp.Sigmoid or TensorOp.ScalarSigmoid => Model.Op.Sigmoid,
        TensorOp.ReLU => Model.Op.ReLU,
        TensorOp.HardTanh => Model.Op.HardTanh,
        TensorOp.Exp => Model.Op.Exp,
        TensorOp.Log => Model.Op.Log,
        TensorOp.Map => Function,
        _ => null,
    };
}

/// <summary>A parameter of a tensor method.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="IsDifferentiable">Whether the gradient takes an adjoint for it.</param>
/// <param name="Node">Its parameter node.</param>
internal sealed record TensorParameter(string Name, ValueKind Kind, bool IsDifferentiable, int Node);

/// <summary>Everything the tensor emitter needs; plain values only, like <see cref="DifferentiableMethod"/>.</summary>
internal sealed record TensorMethod(
    string? Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string Name,
    string GradientName,
    string Accessibility,
    ScalarType Element,
    EquatableArray<TensorParameter> Parameters,
    EquatableArray<TensorNode> Nodes,
    EquatableArray<SourceStatement> Statements,
    int Result,
    string HintName,
    EquatableArray<string> Hiding = default,
    MethodLocation Location = default,
    string? HessianVectorProductName = null,
    SecondOrder? SecondOrder = null);
