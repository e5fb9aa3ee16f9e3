/// The request and response bodies of the REST API, named after their schemas in
/// `Resources/openapi.json` (`Wire.Corp` is `#/components/schemas/Corp`). Controllers decode and
/// return these; `ContractTests` checks them against the document.
public enum Wire {}
