"""Every change to a listing, an article or a request for support is versioned by auditlog
(who, when, what changed). Reads of requests for support are recorded by the selectors."""

from auditlog.registry import auditlog

from familyreach.directory import models

for model in (
    models.Organization,
    models.Service,
    models.Location,
    models.Address,
    models.Accessibility,
    models.ServiceAtLocation,
    models.Contact,
    models.Phone,
    models.Schedule,
    models.CostOption,
    models.Language,
    models.ServiceArea,
    models.Funding,
    models.ServiceAttribute,
    models.Taxonomy,
    models.TaxonomyTerm,
    models.AdviceArticle,
    models.SupportRequest,
    models.ListingChange,
):
    auditlog.register(model)
