<#import "template.ftl" as layout>
<#-- The requester's page while a second person decides, and its outcome when it was not an
     approval. Waiting: it re-asks by itself (a pausable script, or a meta refresh without
     JavaScript), and says what was asked, who can approve, until when and what happens then.
     Every value comes from the model and is escaped by FreeMarker. -->
<@layout.registrationLayout displayMessage=true; section>
<#if section = "header">
    <#if breakGlassWait.state == "waiting">${msg("breakGlassWaitTitle")}<#elseif breakGlassWait.state == "timedOut">${msg("breakGlassWaitTimedOutTitle")}<#else>${msg("breakGlassWaitRejectedTitle")}</#if>
<#elseif section = "form">
    <link rel="stylesheet" href="${url.resourcesPath}/css/break-glass.css"/>
    <script src="${url.resourcesPath}/js/break-glass.js" defer></script>
    <#if breakGlassWait.state == "waiting">
        <#-- Without JavaScript the meta refresh checks again; with it, break-glass.js does, and a
             person can pause it (a reload sends a screen reader back to the top). -->
        <noscript><meta http-equiv="refresh" content="${breakGlassWait.refreshSeconds?c};url=${breakGlassWait.refreshUrl}"></noscript>
    </#if>
    <div id="bg-wait" class="bg-wait" data-state="${breakGlassWait.state}" data-request="${breakGlassWait.requestId}" data-refresh-seconds="${(breakGlassWait.refreshSeconds!0)?c}">
        <#if breakGlassWait.state == "waiting">
            <p id="bg-wait-intro">${msg("breakGlassWaitIntro")}</p>
        <#elseif breakGlassWait.state == "timedOut">
            <p id="bg-wait-outcome" class="bg-wait-outcome">${msg("breakGlassWaitTimedOut")}</p>
        <#else>
            <p id="bg-wait-outcome" class="bg-wait-outcome">${msg("breakGlassWaitRejected", breakGlassWait.rejectedBy)}</p>
            <#if breakGlassWait.comment?has_content>
                <p id="bg-wait-comment">${msg("breakGlassWaitComment")} <q>${breakGlassWait.comment}</q></p>
            </#if>
        </#if>
        <dl class="bg-wait-facts">
            <dt>${msg("breakGlassWaitRoles")}</dt><dd id="bg-wait-roles">${breakGlassWait.roles}</dd>
            <dt>${msg("breakGlassWaitDuration")}</dt><dd id="bg-wait-duration">${msg("breakGlassWaitMinutes", breakGlassWait.duration?c)}</dd>
            <dt>${msg("breakGlassWaitTicket")}</dt><dd id="bg-wait-ticket">${breakGlassWait.ticket}</dd>
            <dt>${msg("breakGlassWaitReason")}</dt><dd id="bg-wait-reason">${breakGlassWait.reason}</dd>
            <#if breakGlassWait.state == "waiting">
                <dt>${msg("breakGlassWaitApprovers")}</dt><dd id="bg-wait-approvers">${breakGlassWait.approverGroup}</dd>
                <dt>${msg("breakGlassWaitUntil")}</dt><dd id="bg-wait-until">${breakGlassWait.timesOutAt}</dd>
            </#if>
        </dl>
        <#if breakGlassWait.state == "waiting">
            <p id="bg-wait-then"><#if breakGlassWait.fallback == "self-activate">${msg("breakGlassWaitThenSelfActivate", breakGlassWait.fallbackMaxDuration?c)}<#else>${msg("breakGlassWaitThenDeny")}</#if></p>
            <p id="bg-wait-refresh">${msg("breakGlassWaitRefresh", breakGlassWait.refreshSeconds?c)}</p>
            <div class="${properties.kcFormActionGroupClass!'pf-v5-c-form__actions'}">
                <a id="bg-wait-check" href="${breakGlassWait.refreshUrl}"
                   class="${properties.kcButtonClass!} ${properties.kcButtonSecondaryClass!} ${properties.kcButtonBlockClass!}">${msg("breakGlassWaitCheckNow")}</a>
                <button id="bg-wait-pause" type="button" aria-pressed="false" hidden
                   class="${properties.kcButtonClass!} ${properties.kcButtonSecondaryClass!} ${properties.kcButtonBlockClass!}">${msg("breakGlassWaitPause")}</button>
            </div>
        <#else>
            <p id="bg-wait-nothing">${msg("breakGlassWaitNothingGranted")}</p>
            <div class="${properties.kcFormActionGroupClass!'pf-v5-c-form__actions'}">
                <a id="bg-restart" href="${url.loginRestartFlowUrl}"
                   class="${properties.kcButtonClass!} ${properties.kcButtonSecondaryClass!} ${properties.kcButtonBlockClass!}">${msg("breakGlassDeniedRestart")}</a>
            </div>
        </#if>
    </div>
</#if>
</@layout.registrationLayout>
