<#-- keycloak.v2 renders this macro under the card: the break-glass theme adds one line there. -->
<#macro content>
    <p id="bg-theme-footer" class="bg-theme-footer">${msg("breakGlassThemeFooter")}</p>
</#macro>
