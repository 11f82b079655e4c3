using LlmOps.Demo;

// LlmOps demo: the whole pipeline end to end, offline by default.
// Set LLMOPS_OPENAI_ENDPOINT (and LLMOPS_OPENAI_API_KEY, LLMOPS_OPENAI_MODEL) to use a real endpoint.
var demo = DemoContext.FromEnvironment(Console.Out);
demo.Out.WriteLine("LlmOps demo");
demo.Out.WriteLine($"Model: {demo.ModelDescription}");
demo.Out.WriteLine();

// One line per section, in pipeline order.
await PipelineSection.RunAsync(demo);
await GuardrailsSection.RunAsync(demo);
await PromptsSection.RunAsync(demo);
await GroundingSection.RunAsync(demo);
await CachingSection.RunAsync(demo);
await RoutingSection.RunAsync(demo);
await MeteringSection.RunAsync(demo);
await MaturitySection.RunAsync(demo);

demo.Out.WriteLine("Done.");
