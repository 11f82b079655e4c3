namespace LlmOps.Evaluation.Runs;

/// <summary>A dataset file could not be read; the message names the file, the line and the fix.</summary>
public sealed class EvaluationDatasetException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="EvaluationDatasetException"/> class.</summary>
    public EvaluationDatasetException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="EvaluationDatasetException"/> class.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    public EvaluationDatasetException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="EvaluationDatasetException"/> class.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="innerException">The cause.</param>
    public EvaluationDatasetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
