namespace LlmOps.Routing;

/// <summary>Thrown inside an attempt when a deployment has no RPM/TPM room left; the request fails over at once.</summary>
internal sealed class DeploymentUnavailableException(string message) : Exception(message);
