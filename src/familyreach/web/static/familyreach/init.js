// Start GOV.UK Frontend's components (accordions, error summaries, menus) once the page loads.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
