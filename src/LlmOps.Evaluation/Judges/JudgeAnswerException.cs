namespace LlmOps.Evaluation.Judges;

/// <summary>The judge gave no usable answer within the allowed attempts; the message says what was wrong with the last one.</summary>
public sealed class JudgeAnswerException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="JudgeAnswerException"/> class.</summary>
    public JudgeAnswerException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="JudgeAnswerException"/> class.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    public JudgeAnswerException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="JudgeAnswerException"/> class.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public JudgeAnswerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
