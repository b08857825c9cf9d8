<#import "template.ftl" as layout>
<#-- An activation refused by a limit of the policy (cooldown or concurrency): what happened, when to
     try again where that is known, and who can help. Nothing was granted. -->
<@layout.registrationLayout displayMessage=false; section>
<#if section = "header">
    ${msg("breakGlassLimitTitle")}
<#elseif section = "form">
    <link rel="stylesheet" href="${url.resourcesPath}/css/break-glass.css"/>
    <div id="bg-limit" class="bg-denied" data-kind="${breakGlassLimit.kind}" data-retry-at="${breakGlassLimit.retryAtIso}">
        <#if breakGlassLimit.kind == "cooldown">
            <p id="bg-limit-what">${msg("breakGlassLimitCooldown", breakGlassLimit.limit?c)}</p>
        <#else>
            <p id="bg-limit-what">${msg("breakGlassLimitConcurrency", breakGlassLimit.limit?c)}</p>
        </#if>
        <#if breakGlassLimit.retryAt?has_content>
            <p id="bg-limit-retry">${msg("breakGlassLimitRetryAt", breakGlassLimit.retryAt)}</p>
        <#else>
            <p id="bg-limit-retry">${msg("breakGlassLimitRetryUnknown")}</p>
        </#if>
        <p id="bg-limit-nothing">${msg("breakGlassDeniedNothingGranted")}</p>
        <p id="bg-limit-help">${msg("breakGlassLimitHelp")}</p>
        <div class="${properties.kcFormActionGroupClass!'pf-v5-c-form__actions'}">
            <a id="bg-restart" href="${url.loginRestartFlowUrl}"
               class="${properties.kcButtonClass!} ${properties.kcButtonSecondaryClass!} ${properties.kcButtonBlockClass!}">${msg("breakGlassLimitRestart")}</a>
        </div>
    </div>
</#if>
</@layout.registrationLayout>
